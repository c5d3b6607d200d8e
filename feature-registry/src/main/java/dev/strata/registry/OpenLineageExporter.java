package dev.strata.registry;

import io.openlineage.client.OpenLineage;
import io.openlineage.client.OpenLineageClient;
import io.openlineage.client.transports.FileConfig;
import io.openlineage.client.transports.FileTransport;
import io.openlineage.client.transports.HttpConfig;
import io.openlineage.client.transports.HttpTransport;
import io.openlineage.client.transports.Transport;
import java.net.URI;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Exports recorded {@link RunRecord runs} as OpenLineage run events (a START, then a COMPLETE or
 * FAIL), through the openlineage-java client, to a file (one JSON event per line) or an HTTP
 * endpoint (a Marquez-style {@code /api/v1/lineage}).
 *
 * <pre>{@code
 * int sent = OpenLineageExporter.toFile(Path.of("lineage.jsonl")).export(registry.runs());
 * }</pre>
 */
public final class OpenLineageExporter implements AutoCloseable {
  /** The OpenLineage namespace of Strata's jobs and datasets. */
  public static final String NAMESPACE = "strata";

  private static final URI PRODUCER = URI.create("https://github.com/strata-dev/strata");

  private final OpenLineageClient client;
  private final OpenLineage ol = new OpenLineage(PRODUCER);

  private OpenLineageExporter(Transport transport) {
    this.client = OpenLineageClient.builder().transport(transport).build();
  }

  public static OpenLineageExporter toFile(Path file) {
    return new OpenLineageExporter(
        new FileTransport(new FileConfig(file.toAbsolutePath().toString())));
  }

  /** Posts events to {@code baseUrl} + {@code /api/v1/lineage}. */
  public static OpenLineageExporter toHttp(URI baseUrl) {
    HttpConfig config = new HttpConfig();
    config.setUrl(baseUrl);
    config.setTimeoutInMillis(10_000);
    return new OpenLineageExporter(new HttpTransport(config));
  }

  /** Emits the events of each run; returns how many events were sent. */
  public int export(List<RunRecord> runs) {
    int sent = 0;
    for (RunRecord run : runs) {
      for (OpenLineage.RunEvent e : events(run)) {
        client.emit(e);
        sent++;
      }
    }
    return sent;
  }

  /** The events of one run, in order. */
  public List<OpenLineage.RunEvent> events(RunRecord run) {
    List<OpenLineage.RunEvent> out = new ArrayList<>();
    out.add(
        event(run, OpenLineage.RunEvent.EventType.START, run.startedAt().atZone(ZoneOffset.UTC)));
    if (run.endedAt() != null && run.status() != RunRecord.Status.RUNNING) {
      // FAILED and ABANDONED are both OpenLineage FAILs
      out.add(
          event(
              run,
              run.status() == RunRecord.Status.COMPLETED
                  ? OpenLineage.RunEvent.EventType.COMPLETE
                  : OpenLineage.RunEvent.EventType.FAIL,
              run.endedAt().atZone(ZoneOffset.UTC)));
    }
    return out;
  }

  private OpenLineage.RunEvent event(
      RunRecord run, OpenLineage.RunEvent.EventType type, ZonedDateTime time) {
    List<OpenLineage.InputDataset> inputs = new ArrayList<>();
    for (LineageId id : run.inputs()) {
      inputs.add(ol.newInputDatasetBuilder().namespace(NAMESPACE).name(id.toString()).build());
    }
    List<OpenLineage.OutputDataset> outputs = new ArrayList<>();
    if (type != OpenLineage.RunEvent.EventType.START) {
      for (LineageId id : run.outputs()) {
        outputs.add(ol.newOutputDatasetBuilder().namespace(NAMESPACE).name(id.toString()).build());
      }
    }
    OpenLineage.RunFacetsBuilder facets = ol.newRunFacetsBuilder();
    if (run.properties().containsKey("error")) {
      facets.errorMessage(
          ol.newErrorMessageRunFacetBuilder()
              .message(run.properties().get("error"))
              .programmingLanguage("JAVA")
              .build());
    }
    return ol.newRunEventBuilder()
        .eventType(type)
        .eventTime(time)
        .run(ol.newRunBuilder().runId(runId(run)).facets(facets.build()).build())
        .job(ol.newJobBuilder().namespace(NAMESPACE).name(run.job().id()).build())
        .inputs(inputs)
        .outputs(outputs)
        .build();
  }

  private static UUID runId(RunRecord run) {
    try {
      return UUID.fromString(run.id());
    } catch (IllegalArgumentException e) {
      return UUID.nameUUIDFromBytes(run.id().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  @Override
  public void close() {
    try {
      client.close();
    } catch (Exception e) {
      throw new IllegalStateException("Cannot close the OpenLineage client: " + e.getMessage(), e);
    }
  }
}
