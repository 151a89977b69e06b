package io.inpaint.sling.internal;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.sling.discovery.DiscoveryService;
import org.apache.sling.discovery.InstanceDescription;
import org.apache.sling.discovery.TopologyView;

import io.inpaint.api.ingest.IngestJob;

/**
 * Where work runs, by Sling id: the instance answering, the instances of its topology (those sharing its
 * repository) and those among them that announce an executor of the ingestion topic, among which Sling's job manager
 * spreads the ingestion jobs (it assigns a job when it is added, so a new instance gets jobs once it is listed
 * there). All absent without discovery.
 */
final class Instances {

    /** The discovery property in which Sling's job manager announces an instance's job topics (comma-separated). */
    private static final String JOB_TOPICS = "org.apache.sling.event.jobs.consumer.topics";

    private Instances() {
    }

    static Json describe(Json status, DiscoveryService discovery) {
        TopologyView view = discovery == null ? null : discovery.getTopology();
        if (view == null) {
            return status;
        }
        List<String> all = view.getInstances().stream().map(InstanceDescription::getSlingId).sorted()
                .collect(Collectors.toList());
        List<String> ingesting = view.getInstances().stream()
                .filter(i -> Arrays.asList(String.valueOf(i.getProperty(JOB_TOPICS)).split(","))
                        .contains(IngestJob.TOPIC))
                .map(InstanceDescription::getSlingId).sorted().collect(Collectors.toList());
        return status.put("instance", view.getLocalInstance().getSlingId()).put("topology", all)
                .put("ingesting", ingesting)
                // false while discovery is settling a change, e.g. an instance that stopped answering
                .put("topologyCurrent", view.isCurrent());
    }
}
