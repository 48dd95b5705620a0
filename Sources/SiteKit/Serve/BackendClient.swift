import FlyingSocks
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A request forwarded to the development backend: method, target, headers and body as received
/// (without hop-by-hop headers and `Host`).
public struct BackendRequest: Sendable, Equatable {
    /// The HTTP method, as the browser sent it.
    public var method: String
    /// `path?query`, still percent-encoded.
    public var target: String
    /// The request's headers, in order.
    public var headers: [HeaderField]
    /// The request body, as received.
    public var body: Data

    /// A request to forward.
    public init(method: String, target: String, headers: [HeaderField] = [], body: Data = Data()) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }
}

/// The backend's answer, with its body unframed (chunked encoding removed) and otherwise untouched.
public struct BackendResponse: Sendable, Equatable {
    /// The status code.
    public var status: Int
    /// The reason phrase, as the backend wrote it.
    public var reason: String
    /// The response headers, in order, repeated ones kept.
    public var headers: [HeaderField]
    /// The body, without chunked framing.
    public var body: Data
}

/// Why the backend could not be reached or understood.
public struct BackendError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, in one sentence.
    public var message: String

    /// An error saying `message`.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

/// A small HTTP/1.1 client for `http://` development backends, on FlyingFox's sockets.
///
/// It sends exactly the method, target, headers and body it is given (adding `Host`,
/// `Content-Length` and `Connection: close`) and returns the status, headers and body as the
/// backend sent them: no redirects are followed and nothing is decompressed.
public struct BackendClient: Sendable {
    /// The backend, as `http://host:port`.
    public let origin: String
    /// How long a request may take in all, from connecting to the end of the body.
    public var timeout: Duration

    /// A client of the backend at `origin`.
    public init(origin: String, timeout: Duration = .seconds(30)) {
        self.origin = origin
        self.timeout = timeout
    }

    /// Sends `request` on a new connection and reads the whole answer; throws ``BackendError``.
    public func send(_ request: BackendRequest) async throws -> BackendResponse {
        guard let components = URLComponents(string: origin), let host = components.host, !host.isEmpty else {
            throw BackendError("'\(origin)' is not an origin such as http://127.0.0.1:8000")
        }
        guard components.scheme?.lowercased() == "http" else {
            throw BackendError("the preview forwards to http:// backends only; set api.dev_origin to the backend's local http:// address")
        }
        let port = components.port ?? 80
        guard let portNumber = UInt16(exactly: port) else { throw BackendError("port \(port) is out of range") }
        let addresses = try SocketAddresses.resolve(host: host, port: portNumber)
        let hostHeader = port == 80 ? host : "\(host):\(port)"
        let head = Self.head(request, host: hostHeader)
        let timeout = self.timeout

        var lastError: any Error = BackendError("no address for \(host)")
        for address in addresses {
            let socket: AsyncSocket
            do {
                socket = try await AsyncSocket.connected(to: address, timeout: 5)
            } catch {
                lastError = Self.describeConnect(error)
                continue
            }
            defer { try? socket.close() }
            do {
                return try await Self.withTimeout(timeout) {
                    try await socket.write(head + request.body)
                    var reader = SocketReader(socket: socket)
                    return try await reader.readResponse(toHead: request.method == "HEAD")
                }
            } catch {
                throw Self.describe(error)
            }
        }
        throw Self.describe(lastError)
    }

    /// The request line and headers.
    static func head(_ request: BackendRequest, host: String) -> Data {
        var lines = ["\(request.method) \(request.target) HTTP/1.1", "Host: \(host)"]
        for header in request.headers {
            let name = header.name.lowercased()
            if name == "host" || name == "content-length" || name == "connection" { continue }
            lines.append("\(header.name): \(header.value)")
        }
        if !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(request.method) {
            lines.append("Content-Length: \(request.body.count)")
        }
        lines.append("Connection: close")
        return Data((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// A failed connection in words; a refused connection shows up as a disconnect.
    static func describeConnect(_ error: any Error) -> BackendError {
        switch error {
        case SocketError.disconnected: return BackendError("connection refused (is the backend running?)")
        case SocketError.failed(_, let code, _) where code == ECONNREFUSED:
            return BackendError("connection refused (is the backend running?)")
        case SocketError.timeout: return BackendError("no connection within 5 s")
        default: return describe(error)
        }
    }

    /// An error in words for the 502 page and the log.
    static func describe(_ error: any Error) -> BackendError {
        if let error = error as? BackendError { return error }
        if let error = error as? SocketError {
            switch error {
            case .failed(_, let code, let message):
                return BackendError(code == ECONNREFUSED ? "connection refused (is the backend running?)" : message)
            case .disconnected: return BackendError("the backend closed the connection before answering")
            case .timeout: return BackendError("no connection within 5 s")
            case .blocked, .unsupportedAddress: return BackendError("\(error)")
            }
        }
        return BackendError("\(error)")
    }

    /// Runs `operation`, failing when it takes longer than `duration`.
    static func withTimeout<Value: Sendable>(
        _ duration: Duration, _ operation: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        try await withThrowingTaskGroup(of: Value.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: duration)
                throw BackendError("no answer within \(duration.components.seconds) s")
            }
            defer { group.cancelAll() }
            guard let value = try await group.next() else { throw BackendError("no answer") }
            return value
        }
    }
}

/// Reads an HTTP/1.1 response from a socket.
struct SocketReader {
    let socket: AsyncSocket
    private var buffer: [UInt8] = []
    private var start = 0
    private var ended = false

    init(socket: AsyncSocket) {
        self.socket = socket
    }

    /// Reads more bytes; false at the end of the stream.
    private mutating func fill() async throws -> Bool {
        if ended { return false }
        if start > 65_536 {
            buffer.removeFirst(start)
            start = 0
        }
        do {
            let bytes = try await socket.read(atMost: 65_536)
            buffer.append(contentsOf: bytes)
            return true
        } catch SocketError.disconnected {
            ended = true
            return false
        }
    }

    /// Bytes up to and including `delimiter`, consumed.
    private mutating func read(through delimiter: [UInt8], limit: Int) async throws -> [UInt8] {
        var searched = start
        while true {
            if buffer.count - start >= delimiter.count {
                var index = max(start, searched)
                while index + delimiter.count <= buffer.count {
                    if buffer[index] == delimiter[0], Array(buffer[index..<index + delimiter.count]) == delimiter {
                        let end = index + delimiter.count
                        let result = Array(buffer[start..<end])
                        start = end
                        return result
                    }
                    index += 1
                }
                searched = max(start, buffer.count - delimiter.count + 1)
            }
            if buffer.count - start > limit { throw BackendError("the backend's response headers are too long") }
            guard try await fill() else { throw BackendError("the backend closed the connection mid-response") }
        }
    }

    /// Exactly `count` bytes.
    private mutating func read(count: Int) async throws -> [UInt8] {
        while buffer.count - start < count {
            guard try await fill() else { throw BackendError("the backend closed the connection mid-body") }
        }
        let result = Array(buffer[start..<start + count])
        start += count
        return result
    }

    /// Everything until the backend closes the connection.
    private mutating func readToEnd() async throws -> [UInt8] {
        while try await fill() {}
        let result = Array(buffer[start...])
        start = buffer.count
        return result
    }

    mutating func readResponse(toHead: Bool) async throws -> BackendResponse {
        var status = 0
        var reason = ""
        var headers: [HeaderField] = []
        // Interim answers (100 Continue, 103 Early Hints) precede the real one.
        repeat {
            let head = try await read(through: Array("\r\n\r\n".utf8), limit: 64 * 1024)
            let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
            guard let statusLine = lines.first else { throw BackendError("the backend sent an empty response") }
            let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let code = Int(parts[1]) else {
                throw BackendError("the backend did not answer with HTTP (\(statusLine.prefix(60)))")
            }
            status = code
            reason = parts.count > 2 ? String(parts[2]) : ""
            headers = lines.dropFirst().compactMap { line in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return HeaderField(
                    String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                    String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
            }
        } while (100..<200).contains(status) && status != 101

        var body: [UInt8] = []
        let noBody = toHead || status == 204 || status == 304 || (100..<200).contains(status)
        if !noBody {
            if let encoding = headers.value(of: "Transfer-Encoding"), encoding.lowercased().contains("chunked") {
                body = try await readChunked()
                headers.removeAll { $0.name.caseInsensitiveCompare("Transfer-Encoding") == .orderedSame }
            } else if let length = headers.value(of: "Content-Length").flatMap({ Int($0) }) {
                body = try await read(count: length)
            } else {
                body = try await readToEnd()
            }
        }
        return BackendResponse(status: status, reason: reason, headers: headers, body: Data(body))
    }

    /// A chunked body, without its framing; trailers are read and dropped.
    private mutating func readChunked() async throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let line = String(decoding: try await read(through: [13, 10], limit: 4096), as: UTF8.self)
            let sizeText = line.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
            guard let size = Int(sizeText, radix: 16) else { throw BackendError("the backend sent a malformed chunk size") }
            if size == 0 {
                // Trailers end with an empty line.
                while try await read(through: [13, 10], limit: 4096).count > 2 {}
                return body
            }
            body += try await read(count: size)
            _ = try await read(count: 2)
        }
    }
}

/// Socket addresses for host names and literals.
enum SocketAddresses {
    /// The addresses of `host`: IPv4 first, as development backends usually listen there.
    static func resolve(host: String, port: UInt16) throws -> [any SocketAddress] {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if let address = try? sockaddr_in.inet(ip4: bare, port: port) { return [address] }
        if let address = try? sockaddr_in6.inet6(ip6: bare, port: port) { return [address] }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if os(Linux)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(bare, nil, &hints, &list) == 0, let first = list else {
            throw BackendError("cannot resolve host '\(bare)'")
        }
        defer { freeaddrinfo(first) }
        var v4: [any SocketAddress] = []
        var v6: [any SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let raw = info.pointee.ai_addr {
                switch info.pointee.ai_family {
                case AF_INET:
                    var address = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
                    address.sin_port = port.bigEndian
                    v4.append(address)
                case AF_INET6:
                    var address = raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee }
                    address.sin6_port = port.bigEndian
                    v6.append(address)
                default: break
                }
            }
            cursor = info.pointee.ai_next
        }
        guard !(v4.isEmpty && v6.isEmpty) else { throw BackendError("no address for host '\(bare)'") }
        return v4 + v6
    }
}
