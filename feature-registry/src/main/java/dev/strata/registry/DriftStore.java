package dev.strata.registry;

import java.util.List;

/** The drift checks of feature views ({@link DriftReport}), kept for alerts and for history. */
public interface DriftStore {
  /** Records a drift check. */
  void recordDrift(DriftReport report);

  /** The drift checks of a view (any version), newest first. */
  List<DriftReport> drift(String view);

  /** The newest drift check of every view that has one, by view name. */
  List<DriftReport> latestDrift();
}
