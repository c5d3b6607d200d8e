package dev.strata.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * deploy/terraform, every .tf file parsed by hcl4j: it passes every check, and a copy broken in one
 * way fails the check that guards against it, with a message naming the file and the object.
 */
class TerraformTest {
  static final Path TREE = Path.of("terraform");

  @Test
  void theDeploymentPassesEveryCheck() throws IOException {
    TerraformTree tree = new TerraformTree(TREE);
    assertThat(tree.dirs.keySet())
        .extracting(p -> TREE.relativize(p).toString())
        .containsExactlyInAnyOrder(
            "environments/dev",
            "environments/prod",
            "modules/network",
            "modules/storage",
            "modules/registry",
            "modules/online",
            "modules/spark",
            "modules/server",
            "modules/observability",
            "modules/stack");
    assertThat(tree.problems()).isEmpty();
    // not vacuous: the checks saw what they check
    long resources =
        tree.dirs.values().stream()
            .flatMap(d -> d.parsed().values().stream())
            .mapToLong(f -> TerraformTree.map(f.get("resource")).size())
            .sum();
    assertThat(resources).isGreaterThan(40);
    assertThat(tree.otherText).hasSize(2);
  }

  static Stream<Arguments> breakages() {
    return Stream.of(
        Arguments.of(
            "a variable used but not declared",
            "modules/storage/variables.tf",
            (Function<String, String>)
                s -> s.replaceAll("(?s)variable \"noncurrent_days\" \\{.*?\\n\\}\\n", ""),
            (Function<TerraformTree, List<String>>) TerraformTree::variablesDeclaredAndUsed,
            "modules/storage: var.noncurrent_days is used but not declared"),
        Arguments.of(
            "a variable declared but never used",
            "modules/online/variables.tf",
            (Function<String, String>) s -> s + "\nvariable \"spare\" {\n  type = string\n}\n",
            (Function<TerraformTree, List<String>>) TerraformTree::variablesDeclaredAndUsed,
            "modules/online: variable \"spare\" is declared but never used"),
        Arguments.of(
            "a module call without a required variable",
            "environments/prod/main.tf",
            (Function<String, String>)
                s -> s.replace("  bucket_name              = var.bucket_name\n", ""),
            (Function<TerraformTree, List<String>>) TerraformTree::moduleCallsComplete,
            "environments/prod/main.tf: module \"strata\" does not pass the required variable"
                + " bucket_name"),
        Arguments.of(
            "a module call with a variable the module lacks",
            "modules/stack/main.tf",
            (Function<String, String>)
                s ->
                    s.replace(
                        "  shards             = var.redis_shards\n",
                        "  shards             = var.redis_shards\n  size = 3\n"),
            (Function<TerraformTree, List<String>>) TerraformTree::moduleCallsComplete,
            "modules/stack/main.tf: module \"online\" passes size, which the module does not"
                + " declare"),
        Arguments.of(
            "a module output that does not exist",
            "modules/stack/main.tf",
            (Function<String, String>)
                s -> s.replace("module.storage.warehouse_uri", "module.storage.warehouse_url"),
            (Function<TerraformTree, List<String>>) TerraformTree::referencesResolve,
            "modules/stack/main.tf: module.storage.warehouse_url: module storage has no such"
                + " output"),
        Arguments.of(
            "a local that is not declared",
            "modules/spark/main.tf",
            (Function<String, String>)
                s ->
                    s.replace(
                        "SparkSubmitParameters = local.submit_parameters",
                        "SparkSubmitParameters = local.submit_params"),
            (Function<TerraformTree, List<String>>) TerraformTree::referencesResolve,
            "modules/spark/main.tf: local.submit_params is not a local here"),
        Arguments.of(
            "a resource that is not declared",
            "modules/spark/main.tf",
            (Function<String, String>)
                s ->
                    s.replace(
                        "role_arn = aws_iam_role.scheduler.arn",
                        "role_arn = aws_iam_role.schedule.arn"),
            (Function<TerraformTree, List<String>>) TerraformTree::referencesResolve,
            "modules/spark/main.tf: aws_iam_role.schedule is not a resource here"),
        Arguments.of(
            "a resource without the common tags",
            "modules/registry/main.tf",
            (Function<String, String>)
                s -> s.replace("  tags                         = var.tags\n", ""),
            (Function<TerraformTree, List<String>>) TerraformTree::resourcesTagged,
            "modules/registry/main.tf: resource aws_db_instance.this does not carry the common tags"),
        Arguments.of(
            "a literal password",
            "modules/registry/main.tf",
            (Function<String, String>)
                s ->
                    s.replace(
                        "password                     = random_password.registry.result",
                        "password                     = \"hunter2-hunter2\""),
            (Function<TerraformTree, List<String>>) TerraformTree::noLiteralSecrets,
            "modules/registry/main.tf: password is a literal string"),
        Arguments.of(
            "an access key in an example",
            "environments/dev/terraform.tfvars.example",
            (Function<String, String>) s -> s + "# AKIAIOSFODNN7EXAMPLE\n",
            (Function<TerraformTree, List<String>>) TerraformTree::noLiteralSecrets,
            "environments/dev/terraform.tfvars.example: holds key material"),
        Arguments.of(
            "Redis open to the world",
            "modules/network/main.tf",
            (Function<String, String>)
                s ->
                    s
                        + "\nresource \"aws_vpc_security_group_ingress_rule\" \"anyone\" {\n"
                        + "  security_group_id = aws_security_group.redis.id\n"
                        + "  ip_protocol       = \"tcp\"\n"
                        + "  from_port         = 6000\n"
                        + "  to_port           = 7000\n"
                        + "  cidr_ipv4         = \"0.0.0.0/0\"\n"
                        + "  tags              = var.tags\n"
                        + "}\n",
            (Function<TerraformTree, List<String>>) TerraformTree::dataPortsClosedToTheWorld,
            "modules/network/main.tf: aws_vpc_security_group_ingress_rule.anyone opens port 6379"
                + " to the world"),
        Arguments.of(
            "PostgreSQL open to the world in a group's own rules",
            "modules/network/main.tf",
            (Function<String, String>)
                s ->
                    s.replace(
                        "  description = \"Registry database: reachable from the server and the jobs only\"\n",
                        "  description = \"Registry database\"\n  ingress {\n    protocol    = \"tcp\"\n"
                            + "    from_port   = 5432\n    to_port     = 5432\n"
                            + "    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n"),
            (Function<TerraformTree, List<String>>) TerraformTree::dataPortsClosedToTheWorld,
            "modules/network/main.tf: aws_security_group.registry ingress opens port 5432 to the"
                + " world"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("breakages")
  void aBrokenCopyFailsItsCheck(
      String what,
      String file,
      Function<String, String> breakIt,
      Function<TerraformTree, List<String>> check,
      String problem,
      @TempDir Path dir)
      throws IOException {
    Path copy = dir.resolve("terraform");
    try (Stream<Path> files = Files.walk(TREE)) {
      for (Path f : files.toList()) {
        Path to = copy.resolve(TREE.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
        } else {
          Files.copy(f, to);
        }
      }
    }
    assertThat(check.apply(new TerraformTree(copy))).as("the intact copy").isEmpty();
    Path target = copy.resolve(file);
    String before = Files.readString(target, StandardCharsets.UTF_8);
    String after = breakIt.apply(before);
    assertThat(after).as("the breakage changes " + file).isNotEqualTo(before);
    Files.writeString(target, after, StandardCharsets.UTF_8);
    assertThat(check.apply(new TerraformTree(copy)))
        .anySatisfy(p -> assertThat(p).startsWith(problem));
  }
}
