/// What field-priority truncation may shorten, in the order it does so: the least essential
/// first. Type, state, service and alert names are never shortened (host names only to their
/// first DNS label); when all of these
/// are exhausted the whole text is cut, as a last resort, so the SMS always fits.
public enum TemplateField: String, Sendable, CaseIterable {
    /// Nagios/Icinga long output, generic details, the Alertmanager `description`.
    case details
    /// Long host names, cut to their first DNS label (`ip-10-42-5-88.eu-west-3.compute.internal`
    /// → `ip-10-42-5-88`): the rest of a cloud name says little.
    case hosts
    /// The check output, the summary, the ack/downtime comment: `message` in templates.
    case message
    /// Label values shown for context (`labels_text`, `common_text`).
    case labels
    /// How many alerts of a group are listed one by one (the rest become "+K more").
    case alerts
}
