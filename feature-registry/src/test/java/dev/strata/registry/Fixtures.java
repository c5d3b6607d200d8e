package dev.strata.registry;

import static dev.strata.dsl.Features.FLOAT64;
import static dev.strata.dsl.Features.INT64;
import static dev.strata.dsl.Features.STRING;
import static dev.strata.dsl.Features.TIMESTAMP;
import static dev.strata.dsl.Features.avg;
import static dev.strata.dsl.Features.col;
import static dev.strata.dsl.Features.count;
import static dev.strata.dsl.Features.sum;

import dev.strata.dsl.Definitions;
import dev.strata.dsl.Entity;
import dev.strata.dsl.FeatureService;
import dev.strata.dsl.FeatureSpec;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.Source;
import java.time.Duration;

/** A small shop repository: users, orders, two views and a service. */
public final class Fixtures {
  public static final Entity USER = Entity.builder("user").joinKey("user_id", INT64).build();
  public static final Entity MERCHANT =
      Entity.builder("merchant").joinKey("merchant_id", STRING).build();

  public static Source orders() {
    return Source.builder("orders")
        .delta("/lake/orders")
        .eventTimestamp("ordered_at")
        .createdTimestamp("ingested_at")
        .column("ordered_at", TIMESTAMP)
        .column("ingested_at", TIMESTAMP)
        .column("user_id", INT64)
        .column("merchant_id", STRING)
        .column("amount", FLOAT64)
        .column("items", INT64)
        .build();
  }

  public static final FeatureSpec SPEND_7D =
      sum(col("amount")).over(Duration.ofDays(7)).as("spend_7d");

  public static FeatureView userSpend(Source s, FeatureSpec spend7d, boolean withOrders1d) {
    FeatureView.Builder b =
        FeatureView.builder("user_spend")
            .entity(USER)
            .source(s)
            .ttl(Duration.ofDays(30))
            .every(Duration.ofHours(1))
            .feature(col("amount").as("last_amount"))
            .aggregate(spend7d);
    if (withOrders1d) {
      b.aggregate(count().over(Duration.ofDays(1)).as("orders_1d"));
    }
    return b.build();
  }

  public static FeatureView merchantStats(Source s) {
    return FeatureView.builder("merchant_stats")
        .entity(MERCHANT)
        .source(s)
        .ttl(Duration.ofDays(7))
        .aggregate(avg(col("amount")).over(Duration.ofDays(7)).as("avg_amount_7d"))
        .build();
  }

  public static Definitions repository() {
    return repository(SPEND_7D, true);
  }

  public static Definitions repository(FeatureSpec spend7d, boolean withOrders1d) {
    Source s = orders();
    FeatureView spend = userSpend(s, spend7d, withOrders1d);
    FeatureView merchant = merchantStats(s);
    FeatureService svc =
        FeatureService.builder("fraud_model")
            .include(
                withOrders1d ? spend.select("spend_7d", "orders_1d") : spend.select("spend_7d"))
            .include(merchant)
            .build();
    return Definitions.builder().addAll(USER, MERCHANT, s, spend, merchant, svc).build();
  }

  private Fixtures() {}
}
