package io.inpaint.sling.internal;

import java.util.List;
import java.util.stream.Collectors;

import org.apache.sling.discovery.DiscoveryService;
import org.apache.sling.discovery.InstanceDescription;
import org.apache.sling.discovery.TopologyView;

/**
 * Where work runs, by Sling id: the instance answering, and the instances of its topology (those sharing its
 * repository, among which Sling's job manager spreads the ingestion jobs). Both are absent without discovery.
 */
final class Instances {

    private Instances() {
    }

    static Json describe(Json status, DiscoveryService discovery) {
        TopologyView view = discovery == null ? null : discovery.getTopology();
        if (view == null) {
            return status;
        }
        List<String> all = view.getInstances().stream().map(InstanceDescription::getSlingId).sorted()
                .collect(Collectors.toList());
        return status.put("instance", view.getLocalInstance().getSlingId()).put("topology", all)
                // false while discovery is settling a change, e.g. an instance that stopped answering
                .put("topologyCurrent", view.isCurrent());
    }
}
