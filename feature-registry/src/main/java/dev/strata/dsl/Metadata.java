package dev.strata.dsl;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** Owner, description and tags of a registered object or a feature. Immutable. */
public record Metadata(String description, String owner, Map<String, String> tags) {
  public static final Metadata EMPTY = new Metadata("", "", Map.of());

  public Metadata {
    description = description == null ? "" : description;
    owner = owner == null ? "" : owner;
    tags = Collections.unmodifiableMap(new TreeMap<>(tags == null ? Map.of() : tags));
  }

  Metadata withDescription(String value) {
    return new Metadata(Objects.requireNonNull(value, "description"), owner, tags);
  }

  Metadata withOwner(String value) {
    return new Metadata(description, Objects.requireNonNull(value, "owner"), tags);
  }

  Metadata withTag(String key, String value) {
    TreeMap<String, String> next = new TreeMap<>(tags);
    next.put(Objects.requireNonNull(key, "tag key"), Objects.requireNonNull(value, "tag value"));
    return new Metadata(description, owner, next);
  }
}
