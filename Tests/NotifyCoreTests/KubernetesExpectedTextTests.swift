import AlertModel
import TestSupport
import Testing

@testable import NotifyCore

/// Every ``KubernetesFixture`` renders exactly its `NAME.sms`: a change of wording or of the
/// chosen subject shows up as a diff of that file.
///
/// `SMSPARTNER_E2E_RECORD=1` (the switch of the end-to-end expected files) rewrites them from
/// the actual texts instead; review the diff before committing.
@Suite struct KubernetesExpectedTextTests {
    @Test(arguments: try KubernetesFixture.all().map(\.name))
    func rendersItsExpectedText(_ name: String) throws {
        let fixture = try KubernetesFixture(name: name)
        let text = MessageRenderer().render(try AlertmanagerDecoder.decode(fixture.body)).message.text + "\n"
        try FixtureDirectory.kubernetes.expectMatches(text, fixture.expectedText)
    }
}
