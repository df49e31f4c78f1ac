/// How ``FakeSMSPartner`` calls a send's `urlDlr` (see `FakeSMSPartner.setCallbackStyle(_:)`);
/// every style carries the fields `messageId`, `phoneNumber` and `status` (`Delivered`,
/// `Not delivered`, `Waiting` or a scripted raw text), and `stopSms` for a number on the STOP list.
public enum FakeCallbackStyle: Sendable, Equatable {
    /// `GET` with the fields in the query string (added to the URL's own query, if any).
    case get
    /// `POST` with an `application/x-www-form-urlencoded` body.
    case postForm
    /// `POST` with an `application/json` body; `messageId` is a JSON number.
    case postJSON
}
