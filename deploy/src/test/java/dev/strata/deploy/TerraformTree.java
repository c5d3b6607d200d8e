package dev.strata.deploy;

import com.bertramlabs.plugins.hcl4j.HCLParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Terraform configurations under a directory (each directory of {@code .tf} files is one module
 * or root), parsed with hcl4j, and the checks the deployment must pass. Each check returns its
 * problems, one line each, naming the file and the object; none means it passes.
 *
 * <p>hcl4j gives the blocks and their attributes (a reference such as {@code var.x} as its text, a
 * function call as null), so the checks that must tell a literal from a reference read the source
 * text as well.
 */
final class TerraformTree {
  /** Resource types that take no {@code tags} argument. */
  static final Set<String> UNTAGGABLE =
      Set.of(
          "aws_route_table_association",
          "aws_s3_bucket_versioning",
          "aws_s3_bucket_server_side_encryption_configuration",
          "aws_s3_bucket_public_access_block",
          "aws_s3_bucket_ownership_controls",
          "aws_s3_bucket_lifecycle_configuration",
          "aws_s3_bucket_policy",
          "aws_iam_role_policy",
          "aws_iam_role_policy_attachment",
          "aws_secretsmanager_secret_version",
          "aws_appautoscaling_policy",
          "aws_scheduler_schedule",
          "aws_sns_topic_subscription",
          "random_password");

  /** The ports of the data stores: never open to the world. */
  static final List<Integer> DATA_PORTS = List.of(6379, 5432);

  static final Set<String> MODULE_META =
      Set.of("source", "version", "count", "for_each", "providers", "depends_on");

  static final Pattern SECRET_NAME =
      Pattern.compile(
          "(?i)^[a-z_]*(password|passwd|secret|token|api_?key|private_key|access_key)[a-z_]*$");

  /** One directory of .tf files: its parsed blocks per file and its source text per file. */
  record Dir(Path path, Map<Path, Map<String, Object>> parsed, Map<Path, String> text) {}

  final Path root;
  final Map<Path, Dir> dirs = new TreeMap<>();
  final Map<Path, String> otherText = new TreeMap<>();

  TerraformTree(Path root) throws IOException {
    this.root = root;
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        String name = f.getFileName().toString();
        String text = Files.readString(f, StandardCharsets.UTF_8);
        if (name.endsWith(".tf")) {
          Dir d =
              dirs.computeIfAbsent(
                  f.getParent(), p -> new Dir(p, new LinkedHashMap<>(), new LinkedHashMap<>()));
          d.parsed().put(f, parse(f, text));
          d.text().put(f, text);
        } else if (name.contains(".tfvars")) {
          otherText.put(f, text);
        }
      }
    }
  }

  private static Map<String, Object> parse(Path f, String text) {
    try {
      return new HCLParser().parse(text);
    } catch (Exception e) {
      throw new IllegalStateException(f + " does not parse: " + e.getMessage(), e);
    }
  }

  String rel(Path p) {
    return root.relativize(p).toString();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  /** The variables a directory declares: name to its block. */
  static Map<String, Map<String, Object>> variables(Dir d) {
    Map<String, Map<String, Object>> out = new TreeMap<>();
    for (Map<String, Object> f : d.parsed().values()) {
      map(f.get("variable")).forEach((n, v) -> out.put(n, map(v)));
    }
    return out;
  }

  /** Source text without comments. */
  static String code(String text) {
    StringBuilder b = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      String t = line.strip();
      if (t.startsWith("#") || t.startsWith("//")) {
        continue;
      }
      int hash = line.indexOf(" #");
      b.append(
              hash >= 0 && line.substring(0, hash).chars().filter(c -> c == '"').count() % 2 == 0
                  ? line.substring(0, hash)
                  : line)
          .append('\n');
    }
    return b.toString();
  }

  private static final Pattern VAR_USE = Pattern.compile("\\bvar\\.([A-Za-z_][A-Za-z0-9_-]*)");

  /** Every variable used is declared; every declared one is used. */
  List<String> variablesDeclaredAndUsed() {
    List<String> problems = new ArrayList<>();
    for (Dir d : dirs.values()) {
      Set<String> declared = variables(d).keySet();
      Set<String> used = new TreeSet<>();
      for (String text : d.text().values()) {
        Matcher m = VAR_USE.matcher(code(text));
        while (m.find()) {
          used.add(m.group(1));
        }
      }
      for (String u : used) {
        if (!declared.contains(u)) {
          problems.add(rel(d.path()) + ": var." + u + " is used but not declared");
        }
      }
      for (String v : declared) {
        if (!used.contains(v)) {
          problems.add(rel(d.path()) + ": variable \"" + v + "\" is declared but never used");
        }
      }
    }
    return problems;
  }

  /** Each module call passes every variable the module requires, and none it does not declare. */
  List<String> moduleCallsComplete() {
    List<String> problems = new ArrayList<>();
    for (Dir d : dirs.values()) {
      for (var file : d.parsed().entrySet()) {
        for (var call : map(file.getValue().get("module")).entrySet()) {
          Map<String, Object> args = map(call.getValue());
          String where = rel(file.getKey()) + ": module \"" + call.getKey() + "\"";
          Dir target = dirs.get(d.path().resolve(String.valueOf(args.get("source"))).normalize());
          if (target == null) {
            problems.add(where + ": source " + args.get("source") + " is not a module here");
            continue;
          }
          Map<String, Map<String, Object>> vars = variables(target);
          for (var v : vars.entrySet()) {
            if (!v.getValue().containsKey("default") && !args.containsKey(v.getKey())) {
              problems.add(where + " does not pass the required variable " + v.getKey());
            }
          }
          for (String a : args.keySet()) {
            if (!MODULE_META.contains(a) && !vars.containsKey(a)) {
              problems.add(where + " passes " + a + ", which the module does not declare");
            }
          }
        }
      }
    }
    return problems;
  }

  /** Every resource that takes tags carries the common ones: var.tags, or a merge of them. */
  List<String> resourcesTagged() {
    List<String> problems = new ArrayList<>();
    for (Dir d : dirs.values()) {
      for (var file : d.parsed().entrySet()) {
        for (var type : map(file.getValue().get("resource")).entrySet()) {
          if (UNTAGGABLE.contains(type.getKey())) {
            continue;
          }
          for (String name : map(type.getValue()).keySet()) {
            String block = block(d.text().get(file.getKey()), type.getKey(), name);
            if (!Pattern.compile("(?m)^\\s*tags\\s*=\\s*(var\\.tags\\b|merge\\(var\\.tags,)")
                .matcher(code(block))
                .find()) {
              problems.add(
                  rel(file.getKey())
                      + ": resource "
                      + type.getKey()
                      + "."
                      + name
                      + " does not carry the common tags (tags = var.tags)");
            }
          }
        }
      }
    }
    return problems;
  }

  /** The source text of {@code resource "TYPE" "NAME" { ... }}. */
  static String block(String text, String type, String name) {
    Matcher m =
        Pattern.compile(
                "resource\\s+\""
                    + Pattern.quote(type)
                    + "\"\\s+\""
                    + Pattern.quote(name)
                    + "\"\\s*\\{")
            .matcher(text);
    if (!m.find()) {
      throw new IllegalStateException("no resource " + type + "." + name);
    }
    int depth = 1;
    int i = m.end();
    while (depth > 0 && i < text.length()) {
      char c = text.charAt(i++);
      depth += c == '{' ? 1 : c == '}' ? -1 : 0;
    }
    return text.substring(m.start(), i);
  }

  private static final Pattern LITERAL =
      Pattern.compile("(?m)^\\s*\"?([A-Za-z_]+)\"?\\s*[=:]\\s*\"([^\"]*)\"");

  private static final Pattern KEY_MATERIAL =
      Pattern.compile("AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----");

  /**
   * No secret is written as a literal: a secret-named argument gets a reference, never a string.
   */
  List<String> noLiteralSecrets() {
    List<String> problems = new ArrayList<>();
    Map<Path, String> all = new TreeMap<>(otherText);
    dirs.values().forEach(d -> all.putAll(d.text()));
    for (var f : all.entrySet()) {
      String code = code(f.getValue());
      Matcher m = LITERAL.matcher(code);
      while (m.find()) {
        String key = m.group(1);
        String value = m.group(2);
        boolean placeholder = value.matches("<aws\\.scheduler\\.[a-z.-]+>") || value.isEmpty();
        if (SECRET_NAME.matcher(key).matches() && !placeholder && !value.contains("${")) {
          problems.add(
              rel(f.getKey()) + ": " + key + " is a literal string; a secret is never written");
        }
      }
      Matcher k = KEY_MATERIAL.matcher(f.getValue());
      if (k.find()) {
        problems.add(
            rel(f.getKey()) + ": holds key material (" + k.group().substring(0, 4) + "...)");
      }
    }
    return problems;
  }

  /** No security group admits 0.0.0.0/0 (or ::/0) on the Redis or PostgreSQL port. */
  List<String> dataPortsClosedToTheWorld() {
    List<String> problems = new ArrayList<>();
    for (Dir d : dirs.values()) {
      for (var file : d.parsed().entrySet()) {
        Map<String, Object> resources = map(file.getValue().get("resource"));
        List<Map.Entry<String, Map<String, Object>>> rules = new ArrayList<>();
        for (var r : map(resources.get("aws_vpc_security_group_ingress_rule")).entrySet()) {
          rules.add(
              Map.entry("aws_vpc_security_group_ingress_rule." + r.getKey(), map(r.getValue())));
        }
        for (var r : map(resources.get("aws_security_group_rule")).entrySet()) {
          if ("ingress".equals(map(r.getValue()).get("type"))) {
            rules.add(Map.entry("aws_security_group_rule." + r.getKey(), map(r.getValue())));
          }
        }
        for (var g : map(resources.get("aws_security_group")).entrySet()) {
          Object ingress = map(g.getValue()).get("ingress");
          List<?> blocks =
              ingress instanceof List<?> l ? l : ingress == null ? List.of() : List.of(ingress);
          for (Object b : blocks) {
            rules.add(Map.entry("aws_security_group." + g.getKey() + " ingress", map(b)));
          }
        }
        for (var rule : rules) {
          Map<String, Object> r = rule.getValue();
          String cidrs =
              String.valueOf(r.get("cidr_ipv4"))
                  + r.get("cidr_ipv6")
                  + r.get("cidr_blocks")
                  + r.get("ipv6_cidr_blocks");
          if (!cidrs.contains("0.0.0.0/0") && !cidrs.contains("::/0")) {
            continue;
          }
          boolean all =
              "-1".equals(String.valueOf(r.get("ip_protocol")))
                  || "-1".equals(String.valueOf(r.get("protocol")));
          for (int port : DATA_PORTS) {
            if (all || covers(r, port)) {
              problems.add(
                  rel(file.getKey())
                      + ": "
                      + rule.getKey()
                      + " opens port "
                      + port
                      + " to the world");
            }
          }
        }
      }
    }
    return problems;
  }

  private static boolean covers(Map<String, Object> r, int port) {
    Object from = r.get("from_port");
    Object to = r.get("to_port");
    if (!(from instanceof Number f) || !(to instanceof Number t)) {
      return true; // a port the file does not state: assume the worst
    }
    return f.intValue() <= port && port <= t.intValue();
  }

  private static final Pattern MODULE_REF =
      Pattern.compile("\\bmodule\\.([A-Za-z_][\\w-]*)\\.([A-Za-z_][\\w-]*)");
  private static final Pattern LOCAL_REF = Pattern.compile("\\blocal\\.([A-Za-z_][\\w-]*)");
  private static final Pattern DATA_REF =
      Pattern.compile("\\bdata\\.([a-z][a-z0-9_]*)\\.([A-Za-z_][\\w-]*)");
  private static final Pattern RESOURCE_REF =
      Pattern.compile("(?<![\\w.])((?:aws|random)_[a-z0-9_]+)\\.([A-Za-z_][\\w-]*)");

  /**
   * Every reference resolves, as {@code terraform validate} would check: {@code module.M.O} to a
   * module call M whose module declares the output O, {@code local.L} to a local, and a resource's
   * or a data source's address to one declared in the same directory.
   */
  List<String> referencesResolve() {
    List<String> problems = new ArrayList<>();
    for (Dir d : dirs.values()) {
      Map<String, Set<String>> outputs = new TreeMap<>();
      Set<String> locals = new TreeSet<>();
      Set<String> resources = new TreeSet<>();
      Set<String> data = new TreeSet<>();
      for (Map<String, Object> f : d.parsed().values()) {
        for (var call : map(f.get("module")).entrySet()) {
          Dir target =
              dirs.get(
                  d.path().resolve(String.valueOf(map(call.getValue()).get("source"))).normalize());
          Set<String> declared = new TreeSet<>();
          if (target != null) {
            target.parsed().values().forEach(t -> declared.addAll(map(t.get("output")).keySet()));
          }
          outputs.put(call.getKey(), declared);
        }
        locals.addAll(map(f.get("locals")).keySet());
        map(f.get("resource"))
            .forEach(
                (type, named) -> map(named).keySet().forEach(n -> resources.add(type + "." + n)));
        map(f.get("data"))
            .forEach((type, named) -> map(named).keySet().forEach(n -> data.add(type + "." + n)));
      }
      for (var file : d.text().entrySet()) {
        String code = code(file.getValue());
        String where = rel(file.getKey()) + ": ";
        Matcher m = MODULE_REF.matcher(code);
        while (m.find()) {
          Set<String> declared = outputs.get(m.group(1));
          if (declared == null) {
            problems.add(where + m.group() + " names no module call here");
          } else if (!declared.contains(m.group(2))) {
            problems.add(where + m.group() + ": module " + m.group(1) + " has no such output");
          }
        }
        m = LOCAL_REF.matcher(code);
        while (m.find()) {
          if (!locals.contains(m.group(1))) {
            problems.add(where + m.group() + " is not a local here");
          }
        }
        m = DATA_REF.matcher(code);
        while (m.find()) {
          if (!data.contains(m.group(1) + "." + m.group(2))) {
            problems.add(where + m.group() + " is not a data source here");
          }
        }
        m = RESOURCE_REF.matcher(code);
        while (m.find()) {
          if (!resources.contains(m.group(1) + "." + m.group(2))) {
            problems.add(where + m.group() + " is not a resource here");
          }
        }
      }
    }
    return problems;
  }

  /** All checks' problems. */
  List<String> problems() {
    List<String> all = new ArrayList<>();
    all.addAll(variablesDeclaredAndUsed());
    all.addAll(moduleCallsComplete());
    all.addAll(referencesResolve());
    all.addAll(resourcesTagged());
    all.addAll(noLiteralSecrets());
    all.addAll(dataPortsClosedToTheWorld());
    return all;
  }
}
