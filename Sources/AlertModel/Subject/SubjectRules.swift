/// How the subject of an Alertmanager alert — the object in trouble, not the exporter that was
/// scraped — is chosen from its labels, and which labels are scrape plumbing that never reaches
/// the SMS. The conventions are those of the Prometheus ecosystem: kubernetes-mixin and
/// kube-prometheus (kube-state-metrics with `honorLabels`, kubelet), node-exporter and blackbox
/// mixins, awesome-prometheus-alerts.
///
/// The subject is the first of, in this order:
///
/// 1. a label of ``preferred`` (the configuration's `subject_labels`), the first present;
/// 2. for `TargetDown`, the target's `namespace/job`;
/// 3. `namespace/pod` (with `/container` when the pod's name does not already hold it), unless
///    the pod is the exporter's own (`kube-state-metrics-6d4b…` for `job=kube-state-metrics`);
/// 4. `namespace/NAME` of the first workload label: `deployment`, `statefulset`, `daemonset`,
///    `replicaset`, `job_name`, `cronjob`, `persistentvolumeclaim`, `persistentvolume` (alone:
///    it belongs to no namespace), `horizontalpodautoscaler`, `poddisruptionbudget`;
/// 5. `node` (after the pod and the workload: kubelet and cAdvisor series carry the `node`
///    they were scraped from beside the pod or volume in trouble);
/// 6. a label that names a monitored target: `server`, `target`;
/// 7. `instance`, when it is the monitored target itself: a probe's URL (blackbox: without
///    its scheme), or `host:port` of an exporter that runs beside what it watches
///    (node-exporter `db-1:9100` → `db-1`), but not the scrape address of a Kubernetes
///    component (``kubernetesJobs``: kube-state-metrics, kubelet, apiserver…);
/// 8. `host`, `hostname`;
/// 9. a Kubernetes component that is itself in trouble (``componentJobs``): `job@host`
///    (`apiserver@10.42.0.10` for a client certificate about to expire);
/// 10. `namespace` alone, unless it is the exporter's (a ``monitoringNamespaces`` one, with the
///    exporter's pod or none).
///
/// Where Prometheus renamed a series' own `namespace`, `pod`, `container` or `node` to
/// `exported_NAME` (a scrape without `honorLabels`), the `exported_` label is the object's and
/// the plain one the exporter's.
///
/// Noise, never in the text (``noise``): `job`, `endpoint`, `prometheus`, `prometheus_replica`,
/// `replica`, `uid`, `metrics_path`, `monitor`, `receive`, `tenant_id`, `__name__` and the
/// configuration's `noise_labels`; `instance` unless it gave the subject; `service` when it names
/// the exporter (the job's, a Kubernetes component's, `*exporter`); the
/// exporter's own `pod`, `container` (also a sidecar named `metrics`, `exporter` or
/// `*-exporter`) and `namespace`; a `container` the pod's name already
/// says; a value the subject already shows; and values `true`/`false`, which say nothing
/// without their name.
public struct SubjectRules: Sendable, Equatable {
    /// Labels tried before the built-in order (`subject_labels`).
    public var preferred: [String]
    /// Labels dropped as noise beside ``scrapeLabels`` (`noise_labels`).
    public var extraNoise: Set<String>

    public init(preferred: [String] = [], extraNoise: Set<String> = []) {
        self.preferred = preferred
        self.extraNoise = extraNoise
    }

    /// The built-in rules.
    public static let standard = SubjectRules()

    /// Labels that describe the scrape, never the problem.
    public static let scrapeLabels: Set<String> = [
        "job", "endpoint", "prometheus", "prometheus_replica", "replica", "uid", "metrics_path", "monitor", "receive",
        "tenant_id", "__name__",
    ]
    /// Labels shown in their own place of the text, never among the context labels.
    public static let shownElsewhere: Set<String> = ["alertname", "severity"]
    /// Workload labels, in the order they are tried.
    public static let workloads = [
        "deployment", "statefulset", "daemonset", "replicaset", "job_name", "cronjob", "persistentvolumeclaim",
        "persistentvolume", "horizontalpodautoscaler", "poddisruptionbudget",
    ]
    /// Namespaces where monitoring stacks run their exporters.
    public static let monitoringNamespaces: Set<String> = [
        "monitoring", "kube-monitoring", "prometheus", "observability", "kube-prometheus-stack", "cattle-monitoring-system",
        "openshift-monitoring", "prometheus-operator",
    ]
    /// Labels that name a monitored target (database exporters, SNMP, probes).
    public static let targetLabels = ["server", "target"]
    /// Jobs of Kubernetes components whose `instance` is the scrape address, not what is broken.
    public static let kubernetesJobs: Set<String> = [
        "kube-state-metrics", "kubelet", "apiserver", "kube-apiserver", "kube-controller-manager", "kube-scheduler",
        "kube-proxy", "coredns", "kube-dns", "prometheus-operator", "prometheus-k8s", "alertmanager-main", "cadvisor",
        "kube-etcd", "etcd",
    ]
    /// Kubernetes components whose scrape address is the component itself: an alert about
    /// one with no other object names it as `job@host`.
    public static let componentJobs: Set<String> = [
        "kubelet", "apiserver", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-proxy", "coredns",
        "kube-dns", "kube-etcd", "etcd",
    ]
    /// Workloads that belong to no namespace: named alone (a `namespace` beside them is the exporter's).
    public static let clusterScoped: Set<String> = ["persistentvolume"]
    /// Object labels that Prometheus renames `exported_NAME` when the scrape has its own.
    static let exportable = ["namespace", "pod", "container", "node"]

    /// The subject of an alert with these labels, and what its labels come to.
    public func choose(_ labels: [Label]) -> SubjectChoice {
        let reading = LabelReading(labels)
        let (subject, from) = reading.subject(preferring: preferred)
        let (noise, context) = reading.sort(labels, subject: subject, from: from, extraNoise: extraNoise)
        return SubjectChoice(subject: subject, from: from, noise: noise, context: context)
    }

    /// What an `instance` says of its target: `host:9100` → `host`, a URL without its scheme
    /// and trailing slash (`https://shop.example.com/health` → `shop.example.com/health`).
    static func target(instance: String) -> String {
        if let scheme = instance.firstRange(of: "://") {
            var rest = instance.utf8[scheme.upperBound...]
            while rest.last == UInt8(ascii: "/") { rest.removeLast() }
            return rest.isEmpty ? instance : String(instance[rest.startIndex..<rest.endIndex])
        }
        return withoutPort(instance)
    }

    /// `host:9100` → `host`, `[::1]:9100` → `[::1]`; a bare IPv6 address keeps its last group.
    /// On the UTF-8 bytes: searching characters backwards is quadratic in a run of flag emoji
    /// (a fuzzed 58,000-character `instance` took 10 s).
    static func withoutPort(_ host: String) -> String {
        let bytes = host.utf8
        guard let colon = bytes.lastIndex(of: UInt8(ascii: ":")) else { return host }
        let port = bytes[bytes.index(after: colon)...]
        let name = bytes[..<colon]
        guard !port.isEmpty, !name.isEmpty, port.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return host }
        guard name.last == UInt8(ascii: "]") || !name.contains(UInt8(ascii: ":")) else { return host }
        return String(host[..<colon])
    }
}
