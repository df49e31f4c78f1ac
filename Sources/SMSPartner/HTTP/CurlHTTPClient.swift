import CCurl

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A blocking HTTP client over a libcurl easy handle: one handle per request, nothing shared
/// between threads but libcurl's one-time global initialisation.
///
/// TLS peer and host verification are always on (against the system's certificate authorities,
/// or those of the request's ``HTTPRequest/caFile``), redirects are not followed, and only
/// `http` and `https` are allowed. Proxies come from the usual `https_proxy`/`no_proxy`
/// variables; loopback addresses never go through a proxy.
public struct CurlHTTPClient: Sendable {
    /// Replies larger than this are refused (`HTTPTransportError.responseTooLarge`).
    public static let maxResponseBytes = 1 << 20

    /// Sent as `User-Agent`, e.g. `smspartner-notify/0.1.0`.
    public var userAgent: String

    public init(userAgent: String) {
        self.userAgent = userAgent
    }

    /// Performs the request and returns the response, whatever its status code.
    public func perform(_ request: HTTPRequest) throws(HTTPTransportError) -> HTTPResponse {
        guard CurlGlobal.initialised == CURLE_OK else {
            throw .other(code: Int(CurlGlobal.initialised.rawValue), message: "curl_global_init failed")
        }
        guard let handle = curl_easy_init() else {
            throw .other(code: -1, message: "curl_easy_init returned no handle")
        }
        defer { curl_easy_cleanup(handle) }

        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }
        // "Expect:" stops curl waiting for "100 Continue" before sending larger bodies.
        for line in request.headers + ["Expect:"] {
            headerList = curl_slist_append(headerList, line)
        }

        let sink = ResponseSink(limit: Self.maxResponseBytes)
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }

        var setup = CURLE_OK
        func set(_ code: CURLcode) { if setup == CURLE_OK { setup = code } }

        set(ccurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        set(ccurl_easy_setopt_string(handle, CURLOPT_URL, request.url))
        set(ccurl_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        set(ccurl_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0))
        // HTTP/1.1, where "the whole request was handed to the connection" (see
        // `wholeRequestSent`) was checked: over HTTP/2 the counters may mean something else.
        set(ccurl_easy_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1)))
        set(ccurl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        set(ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
        set(ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
        if let caFile = request.caFile {
            // Only that file's authorities: the system's directory of CAs is not searched too.
            set(ccurl_easy_setopt_string(handle, CURLOPT_CAINFO, caFile))
            set(ccurl_easy_setopt_string(handle, CURLOPT_CAPATH, nil))
        }
        set(ccurl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeout.milliseconds))
        set(ccurl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, request.timeout.milliseconds))
        set(ccurl_easy_setopt_string(handle, CURLOPT_USERAGENT, userAgent))
        set(ccurl_easy_setopt_string(handle, CURLOPT_NOPROXY, Self.noProxyList))
        set(ccurl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
        set(ccurl_easy_setopt_write_function(handle, curlWriteCallback))
        set(ccurl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque()))
        switch request.method {
        case .get:
            set(ccurl_easy_setopt_long(handle, CURLOPT_HTTPGET, 1))
        case .post:
            set(ccurl_easy_setopt_long(handle, CURLOPT_POST, 1))
            set(ccurl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
            // COPYPOSTFIELDS copies the bytes, so they need not outlive this call.
            request.body.withUnsafeBytes { bytes in
                let base = UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(errorBuffer))
                set(ccurl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, base))
            }
        case .delete:
            // A GET transfer (no body) under another method name.
            set(ccurl_easy_setopt_long(handle, CURLOPT_HTTPGET, 1))
            set(ccurl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, "DELETE"))
        }
        guard setup == CURLE_OK else {
            throw Self.error(for: setup, detail: String(cString: errorBuffer), sink: sink)
        }

        let result = withExtendedLifetime(sink) { curl_easy_perform(handle) }
        guard result == CURLE_OK else {
            let error = Self.error(for: result, detail: String(cString: errorBuffer), sink: sink)
            if Self.wholeRequestSent(handle, bodyLength: request.body.count), let unanswered = error.unanswered {
                throw unanswered
            }
            throw error
        }
        var status = 0
        _ = ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, body: sink.bytes)
    }

    /// Whether the request's head and its whole body were handed to the connection: from then
    /// on the server may have received it, and a failure leaves its outcome unknown. Before
    /// that (refused, unreachable, TLS, a timeout while connecting or writing) it cannot have
    /// been acted on.
    static func wholeRequestSent(_ handle: UnsafeMutableRawPointer, bodyLength: Int) -> Bool {
        var headBytes = 0
        var bodyBytes: curl_off_t = 0
        guard ccurl_easy_getinfo_long(handle, CURLINFO_REQUEST_SIZE, &headBytes) == CURLE_OK,
            ccurl_easy_getinfo_off_t(handle, CURLINFO_SIZE_UPLOAD_T, &bodyBytes) == CURLE_OK
        else {
            // Cannot tell: assume it may have arrived (a duplicate is checked for; a lost page is not).
            return true
        }
        return headBytes > 0 && bodyBytes >= bodyLength
    }

    /// `no_proxy` from the environment plus loopback, which never goes through a proxy.
    static var noProxyList: String {
        let inherited = [getenv("no_proxy"), getenv("NO_PROXY")]
            .compactMap { $0.map { String(cString: $0) } }
            .filter { !$0.isEmpty }
        return (inherited + ["127.0.0.1", "localhost", "::1"]).joined(separator: ",")
    }

    static func error(for code: CURLcode, detail: String, sink: ResponseSink) -> HTTPTransportError {
        let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut(text)
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .couldNotConnect(text)
        case CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE:
            return .connectionLost(text)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR:
            return .tls(text)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .invalidURL(text)
        case CURLE_WRITE_ERROR where sink.overflowed:
            return .responseTooLarge(limit: sink.limit)
        default:
            return .other(code: Int(code.rawValue), message: text)
        }
    }
}

/// libcurl's process-wide initialisation, run once on first use (Swift globals are lazy and
/// thread-safe), before any handle exists.
private enum CurlGlobal {
    static let initialised: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
}

/// Collects one response body; owned by a single transfer on a single thread.
final class ResponseSink {
    let limit: Int
    private(set) var bytes: [UInt8] = []
    private(set) var overflowed = false

    init(limit: Int) { self.limit = limit }

    /// Appends a chunk; returns false once the body is over the limit.
    func append(_ chunk: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count + chunk.count <= limit else {
            overflowed = true
            return false
        }
        bytes.append(contentsOf: chunk)
        return true
    }
}

/// CURLOPT_WRITEFUNCTION: returning less than the chunk size makes curl abort with CURLE_WRITE_ERROR.
private let curlWriteCallback: ccurl_write_callback = { data, size, count, userdata in
    guard let userdata else { return 0 }
    let length = size * count
    guard let data, length > 0 else { return length }
    let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
    return sink.append(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}

extension Duration {
    /// Whole milliseconds, at least 1 (0 means "no limit" to libcurl).
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        let total = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int(max(1, total))
    }
}
