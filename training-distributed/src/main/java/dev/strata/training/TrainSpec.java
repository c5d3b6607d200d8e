package dev.strata.training;

import dev.strata.registry.ModelVersion.Task;

/**
 * A training request.
 *
 * @param trainingSetVersion null for the newest
 * @param validationFraction the share of the dataset's time range, at its end, kept for validation
 * @param earlyStoppingRounds 0 for none
 * @param threshold the probability above which a classifier predicts 1, for precision/recall/F1
 */
public record TrainSpec(
    String model,
    String trainingSet,
    Integer trainingSetVersion,
    Task task,
    int workers,
    int rounds,
    int earlyStoppingRounds,
    int maxDepth,
    double eta,
    double validationFraction,
    double threshold,
    boolean gpu,
    long seed) {

  public static TrainSpec defaults(String model, String trainingSet) {
    return new TrainSpec(
        model, trainingSet, null, Task.CLASSIFIER, 2, 200, 20, 6, 0.1, 0.2, 0.5, false, 7);
  }

  public TrainSpec withTask(Task t) {
    return new TrainSpec(
        model,
        trainingSet,
        trainingSetVersion,
        t,
        workers,
        rounds,
        earlyStoppingRounds,
        maxDepth,
        eta,
        validationFraction,
        threshold,
        gpu,
        seed);
  }

  public TrainSpec withRounds(int r, int early) {
    return new TrainSpec(
        model,
        trainingSet,
        trainingSetVersion,
        task,
        workers,
        r,
        early,
        maxDepth,
        eta,
        validationFraction,
        threshold,
        gpu,
        seed);
  }

  public TrainSpec withWorkers(int w) {
    return new TrainSpec(
        model,
        trainingSet,
        trainingSetVersion,
        task,
        w,
        rounds,
        earlyStoppingRounds,
        maxDepth,
        eta,
        validationFraction,
        threshold,
        gpu,
        seed);
  }

  public TrainSpec withGpu(boolean g) {
    return new TrainSpec(
        model,
        trainingSet,
        trainingSetVersion,
        task,
        workers,
        rounds,
        earlyStoppingRounds,
        maxDepth,
        eta,
        validationFraction,
        threshold,
        g,
        seed);
  }
}
