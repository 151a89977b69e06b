package io.inpaint.sling.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.Calendar;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.sling.discovery.DiscoveryService;
import org.apache.sling.discovery.InstanceDescription;
import org.apache.sling.discovery.TopologyView;
import org.apache.sling.event.jobs.Job;
import org.apache.sling.event.jobs.JobManager;
import org.junit.jupiter.api.Test;

import io.inpaint.api.ingest.IngestJob;

/** The status and the job report name the instances: this one, its topology, and the one each job is assigned to. */
class WhereWorkRunsTest {

    @Test
    void theStatusNamesThisInstanceAndTheTopologysInstances() {
        DiscoveryService discovery = discovery(
                topology("b-second", Set.of("b-second", "a-first", "c-third"), false));

        String json = Instances.describe(new Json().put("state", "READY"), discovery).toString();

        assertEquals("{\"state\":\"READY\",\"instance\":\"b-second\","
                + "\"topology\":[\"a-first\",\"b-second\",\"c-third\"],\"ingesting\":[\"a-first\",\"c-third\"],"
                + "\"topologyCurrent\":false}", json);
    }

    @Test
    void withoutDiscoveryTheStatusStaysAsItWas() {
        assertEquals("{\"state\":\"READY\"}", Instances.describe(new Json().put("state", "READY"), null).toString());
        assertEquals("{\"state\":\"READY\"}",
                Instances.describe(new Json().put("state", "READY"), discovery(null)).toString());
    }

    @Test
    void eachJobNamesTheInstanceItIsAssignedTo() {
        JobManager jobs = fake(JobManager.class, (method, args) -> "findJobs".equals(method)
                && args[0] == JobManager.QueryType.ALL ? List.of(job("1", "a-first"), job("2", null)) : List.of());

        String json = Reports.jobs(jobs, "/content/dam/inbox/x.jpg").toString();

        assertTrue(json.contains("\"id\":\"1\",\"state\":\"ACTIVE\"") && json.contains("\"instance\":\"a-first\""),
                json);
        // a job not assigned yet names no instance
        String second = json.substring(json.indexOf("\"id\":\"2\""));
        assertFalse(second.contains("\"instance\""), json);
    }

    private static Job job(String id, String instance) {
        Calendar created = Calendar.getInstance();
        created.add(Calendar.SECOND, -Integer.parseInt(id));
        return fake(Job.class, (method, args) -> {
            switch (method) {
                case "getId": return id;
                case "getJobState": return Job.JobState.ACTIVE;
                case "getTargetInstance": return instance;
                case "getCreated": return created;
                case "getRetryCount": case "getNumberOfRetries": return 0;
                default: return null;
            }
        });
    }

    private static DiscoveryService discovery(TopologyView view) {
        return fake(DiscoveryService.class, (method, args) -> view);
    }

    private static TopologyView topology(String local, Set<String> ids, boolean current) {
        return fake(TopologyView.class, (method, args) -> {
            switch (method) {
                case "getLocalInstance": return instance(local);
                case "getInstances": return ids.stream().map(WhereWorkRunsTest::instance)
                        .collect(Collectors.toSet());
                case "isCurrent": return current;
                default: throw new UnsupportedOperationException(method);
            }
        });
    }

    /** An instance; "a-first" and "c-third" have announced the ingestion job's executor, "b-second" not yet. */
    private static InstanceDescription instance(String slingId) {
        String topics = slingId.equals("b-second") ? "org/apache/sling/event/other"
                : "org/apache/sling/event/other," + IngestJob.TOPIC;
        return fake(InstanceDescription.class, (method, args) -> "getSlingId".equals(method) ? slingId
                : "getProperty".equals(method) && "org.apache.sling.event.jobs.consumer.topics".equals(args[0])
                        ? topics : null);
    }

    private interface Answer {
        Object answer(String method, Object[] args);
    }

    @SuppressWarnings("unchecked")
    private static <T> T fake(Class<T> type, Answer answer) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        // what a Set of fakes asks
                        case "hashCode": return System.identityHashCode(proxy);
                        case "equals": return proxy == args[0];
                        default: return answer.answer(method.getName(), args == null ? new Object[0] : args);
                    }
                });
    }
}
