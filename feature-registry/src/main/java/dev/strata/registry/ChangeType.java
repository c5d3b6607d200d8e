package dev.strata.registry;

/** What an apply does to one object. */
public enum ChangeType {
  ADD,
  UPDATE,
  REMOVE
}
