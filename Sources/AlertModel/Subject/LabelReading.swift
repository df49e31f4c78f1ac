/// One alert's labels as ``SubjectRules`` reads them: their values, which of them were
/// renamed `exported_NAME` by the scrape, and which describe the exporter that was scraped
/// rather than the object in trouble.
struct LabelReading {
    /// Each label's trimmed value (the first of a repeated name), `exported_NAME` standing for NAME.
    var values: [String: String] = [:]
    /// NAME → `exported_NAME`, for the object labels the scrape renamed.
    var renamed: [String: String] = [:]
    let job: String?
    /// The `pod` is the exporter's, not the object's.
    let exporterPod: Bool
    /// The `container` is the exporter's (or a sidecar of it).
    let exporterContainer: Bool
    /// The `service` is the Service that was scraped, not the application's.
    let exporterService: Bool
    /// The first workload label present (``SubjectRules/workloads`` order).
    let workload: String?
    /// The `namespace` is the exporter's.
    let exporterNamespace: Bool

    init(_ labels: [Label]) {
        for label in labels {
            let value = label.value.trimmingWhitespace()
            if !value.isEmpty, values[label.name] == nil { values[label.name] = value }
        }
        // `exported_pod` and its kin are the series' own; the plain labels, the scrape's.
        for name in SubjectRules.exportable {
            guard let value = values["exported_" + name] else { continue }
            renamed[name] = "exported_" + name
            values[name] = value
        }
        let values = values
        let renamed = renamed
        let job = values["job"]
        self.job = job
        let exporters = [job, values["service"]].compactMap { $0?.lowercased() }
        let exporterPod = values["pod"].map { pod in
            let name = pod.lowercased()
            return renamed["pod"] == nil && exporters.contains { exporter in
                name == exporter || name.hasPrefix(exporter + "-") || (exporter.count >= 8 && name.contains(exporter))
            }
        } ?? false
        self.exporterPod = exporterPod
        let exporterContainer = values["container"].map { container in
            let name = container.lowercased()
            return exporterPod || name.hasPrefix("kube-rbac-proxy") || exporters.contains(name)
                || ["metrics", "exporter"].contains(name) || name.hasSuffix("-exporter") || name.hasSuffix("_exporter")
        } ?? false
        self.exporterContainer = exporterContainer
        // The Service that was scraped (the Prometheus Operator's `service` label): the job's,
        // a Kubernetes component's, an exporter's; another `service` is the application's.
        exporterService = values["service"].map { service in
            let name = service.lowercased()
            return name == job?.lowercased() || SubjectRules.kubernetesJobs.contains(name) || name.hasSuffix("exporter")
                || job.map { SubjectRules.kubernetesJobs.contains($0.lowercased()) } ?? false || exporterPod || exporterContainer
        } ?? false
        let workload = SubjectRules.workloads.first { values[$0] != nil }
        self.workload = workload
        // The exporter's namespace: a monitoring namespace, with the exporter's pod (or none)
        // and no workload of its own. (kube-state-metrics keeps the object's own namespace
        // under honorLabels; a metric without one keeps the exporter's.)
        exporterNamespace = values["namespace"].map { namespace in
            SubjectRules.monitoringNamespaces.contains(namespace.lowercased())
                && (workload.map { SubjectRules.clusterScoped.contains($0) } ?? true) && (exporterPod || values["pod"] == nil)
        } ?? false
    }

    /// The label that holds NAME's value: `exported_NAME` when the scrape renamed it.
    func labelName(_ name: String) -> String { renamed[name] ?? name }

    /// `namespace/name`, or `name` without a namespace.
    func inNamespace(_ name: String) -> String {
        values["namespace"].map { "\($0)/\(name)" } ?? name
    }

    /// The labels `name` in its namespace comes from.
    func namespaced(_ name: String) -> [String] {
        values["namespace"] == nil ? [labelName(name)] : [labelName("namespace"), labelName(name)]
    }

    /// The subject, and the labels it comes from, in ``SubjectRules``' documented order
    /// (`preferred`, the configuration's `subject_labels`, first).
    func subject(preferring preferred: [String]) -> (subject: String?, from: [String]) {
        if let name = preferred.first(where: { values[$0] != nil }), let value = values[name] {
            return (name == "instance" ? SubjectRules.target(instance: value) : value, [name])
        }
        if values["alertname"] == "TargetDown", let job {
            return (inNamespace(job), values["namespace"] == nil ? ["job"] : [labelName("namespace"), "job"])
        }
        if let pod = values["pod"], !exporterPod {
            var text = inNamespace(pod)
            var from = namespaced("pod")
            if let container = values["container"], !exporterContainer, !pod.lowercased().contains(container.lowercased()) {
                text += "/" + container
                from.append(labelName("container"))
            }
            return (text, from)
        }
        if let workload, let name = values[workload] {
            let alone = SubjectRules.clusterScoped.contains(workload)
            return (alone ? name : inNamespace(name), alone ? [workload] : namespaced(workload))
        }
        if let node = values["node"] {
            return (node, [labelName("node")])
        }
        if let name = SubjectRules.targetLabels.first(where: { values[$0] != nil }), let value = values[name] {
            return (value, [name])
        }
        if let instance = values["instance"], !(job.map { SubjectRules.kubernetesJobs.contains($0.lowercased()) } ?? false) {
            return (SubjectRules.target(instance: instance), ["instance"])
        }
        if let name = ["host", "hostname"].first(where: { values[$0] != nil }), let value = values[name] {
            return (value, [name])
        }
        if let job, SubjectRules.componentJobs.contains(job.lowercased()) {
            if let instance = values["instance"] {
                return ("\(job)@\(SubjectRules.withoutPort(instance))", ["job", "instance"])
            }
            return (job, ["job"])
        }
        if let namespace = values["namespace"], !exporterNamespace {
            return (namespace, [labelName("namespace")])
        }
        return (nil, [])
    }

    /// The labels left once the subject is chosen: noise (the scrape's, the exporter's, bare
    /// `true`/`false`, what repeats the subject), sorted by name, and context, in their order.
    func sort(_ labels: [Label], subject: String?, from: [String], extraNoise: Set<String>) -> (noise: [String], context: [Label]) {
        var noise: [String] = []
        var context: [Label] = []
        var seen = Set<String>()
        for label in labels where seen.insert(label.name).inserted {
            let name = label.name
            let value = label.value.trimmingWhitespace()
            if from.contains(name) || SubjectRules.shownElsewhere.contains(name) || value.isEmpty { continue }
            // The object's own `exported_NAME` stands for NAME below; a renamed plain label is the scrape's.
            let role = name.hasPrefix("exported_") && renamed[String(name.dropFirst("exported_".count))] == name
                ? String(name.dropFirst("exported_".count)) : name
            let isNoise = SubjectRules.scrapeLabels.contains(name) || extraNoise.contains(name)
                || (role == name && renamed[name] != nil)
                || role == "service" && exporterService || role == "instance"
                || (role == "pod" && exporterPod) || (role == "container" && exporterContainer)
                || (role == "container" && from.contains(labelName("pod")) && values["pod"]?.lowercased().contains(value.lowercased()) == true)
                || (role == "namespace" && (exporterNamespace || subject != nil))
                || ["true", "false"].contains(value.lowercased())
                || (subject != nil && value == subject)
            if isNoise {
                noise.append(name)
            } else {
                context.append(Label(name, value))
            }
        }
        return (noise.sorted(), context)
    }
}
