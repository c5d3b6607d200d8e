package com.example.features;

import dev.strata.dsl.Definitions;
import dev.strata.dsl.FeatureRepository;

/**
 * Your feature repository. Add entities, sources, feature views and feature services, e.g.
 *
 * <pre>{@code
 * Entity user = Entity.builder("user").joinKey("user_id", INT64).build();
 * Source orders = Source.builder("orders").parquet("/data/orders.parquet")
 *     .eventTimestamp("ts").column("ts", TIMESTAMP).column("user_id", INT64)
 *     .column("amount", FLOAT64).build();
 * FeatureView spend = FeatureView.builder("user_spend").entity(user).source(orders)
 *     .ttl(Duration.ofDays(7)).every(Duration.ofHours(1))
 *     .aggregate(sum(col("amount")).over(Duration.ofDays(7)).as("spend_7d")).build();
 * return Definitions.builder().addAll(user, orders, spend).build();
 * }</pre>
 */
public final class MyFeatures implements FeatureRepository {
  @Override
  public String name() {
    return "@NAME@";
  }

  @Override
  public Definitions definitions() {
    return Definitions.builder().build();
  }
}
