import AlertModel
import Foundation
import Testing

@testable import NotifyCore

/// Every ``KubernetesFixture`` renders exactly its `NAME.sms`: a change of wording or of the
/// chosen subject shows up as a diff of that file.
///
/// `SMSPARTNER_E2E_RECORD=1` (the switch of the end-to-end expected files) rewrites them from
/// the actual texts instead; review the diff before committing.
@Suite struct KubernetesExpectedTextTests {
    static let recording = ProcessInfo.processInfo.environment["SMSPARTNER_E2E_RECORD"] == "1"

    @Test(arguments: try KubernetesFixture.all().map(\.name))
    func rendersItsExpectedText(_ name: String) throws {
        let fixture = try KubernetesFixture(name: name)
        let text = MessageRenderer().render(try AlertmanagerDecoder.decode(fixture.body)).message.text + "\n"
        if Self.recording {
            try Data(text.utf8).write(to: fixture.expectedTextURL)
            return
        }
        let expected = try String(contentsOf: fixture.expectedTextURL, encoding: .utf8)
        #expect(text == expected, "\(name): the SMS differs from \(fixture.expectedTextURL.lastPathComponent) (SMSPARTNER_E2E_RECORD=1 rewrites it)")
    }
}
