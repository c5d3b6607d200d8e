/**
 * The online store on Redis, free of Spark and Spring: the key layout and value codec ({@link
 * dev.strata.online.RedisOnlineStore#key}), newer-wins pipelined writes (a Lua check per row, so a
 * stored value is never replaced by an older one), deadline-bounded reads, Redis URLs with
 * credentials, TLS and cluster mode ({@link dev.strata.online.RedisEndpoint}), and a launcher that
 * starts a real {@code redis-server} for tests and the quickstart ({@link
 * dev.strata.online.RedisLauncher}). Materialization writes through this artifact; the feature
 * server reads through it.
 */
package dev.strata.online;
