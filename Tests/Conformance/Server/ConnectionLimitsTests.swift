// Connection limits of both listeners, with real sockets: idle connections and stalled, half-sent
// requests are closed; connections over the maximum are refused at once.

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import KMIP
import KMIPServer
import NIOCore
import NIOPosix
import NIOSSL
import Testing

/// A plain TCP connection to a loopback port that sends what it is told and waits.
final class StallingSocket {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    /// Waits up to `seconds` for the server to close the connection; the seconds it took, or
    /// `nil` when it stayed open.
    func secondsUntilClosed(within seconds: Double) -> Double? {
        let start = Date()
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var byte: UInt8 = 0
        while true {
            let count = recv(descriptor, &byte, 1, 0)
            if count == 0 || (count < 0 && errno == ECONNRESET) { return Date().timeIntervalSince(start) }
            if count < 0 { return nil }
        }
    }

    deinit { close(descriptor) }
}

/// A TLS client connection (the camera's certificate) that writes bytes and reports when the
/// server closes it.
struct TLSProbe {
    let channel: any Channel

    static func connect(port: Int) async throws -> TLSProbe {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(TestCertificates.path("ca.pem")))
        tls.certificateChain = try NIOSSLCertificate.fromPEMFile(TestCertificates.path("camera.pem")).map { .certificate($0) }
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: TestCertificates.path("camera.key"), format: .pem))
        let context = try NIOSSLContext(configuration: tls)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: "localhost"))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return TLSProbe(channel: channel)
    }

    func write(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
    }

    /// Seconds until the server closed the connection, or `nil` when it is still open after `seconds`.
    /// Counted from `start` (by default now): a caller that starts the clock before its last
    /// write can never measure less than the server waited, however late this task resumes.
    func secondsUntilClosed(within seconds: Double, since start: Date = Date()) async -> Double? {
        while Date().timeIntervalSince(start) < seconds {
            if !channel.isActive { return Date().timeIntervalSince(start) }
            try? await Task.sleep(for: .milliseconds(25))
        }
        return nil
    }
}

enum ListenerKind: String, CaseIterable, CustomTestStringConvertible {
    case ttlv, https
    var testDescription: String { rawValue }
}

/// A listener of either kind on a free port with the given limits.
struct LimitedListener {
    let port: Int
    let counts: @Sendable () -> KMIPConnectionCounts
    let stop: @Sendable () async -> Void

    static func start(_ kind: ListenerKind, idle: Duration = .seconds(30), request: Duration = .seconds(30), maximum: Int = 100) async throws -> LimitedListener {
        let engine = KMIPServerEngine(store: InMemoryObjectStore())
        var configuration = KMIPTLSListener.Configuration(
            certificateChainFile: TestCertificates.path("server.pem"), privateKeyFile: TestCertificates.path("server.key"),
            clientCAFile: TestCertificates.path("ca.pem"))
        configuration.port = 0
        configuration.idleTimeout = idle
        configuration.requestTimeout = request
        configuration.maximumConnections = maximum
        switch kind {
        case .ttlv:
            let listener = try await KMIPTLSListener.start(engine: engine, configuration: configuration)
            return LimitedListener(port: listener.port, counts: { listener.connectionCounts }, stop: { await listener.shutdown() })
        case .https:
            let listener = try await KMIPHTTPSListener.start(engine: engine, configuration: configuration)
            return LimitedListener(port: listener.port, counts: { listener.connectionCounts }, stop: { await listener.shutdown() })
        }
    }
}

@Suite("Listener limits: timeouts and the maximum number of connections", .serialized)
struct ConnectionLimitsTests {
    @Test("a connection that sends nothing (not even a TLS handshake) is closed after the idle timeout", arguments: ListenerKind.allCases)
    func idle(_ kind: ListenerKind) async throws {
        let listener = try await LimitedListener.start(kind, idle: .seconds(1))
        let socket = try StallingSocket(port: listener.port)
        let closedAfter = try #require(socket.secondsUntilClosed(within: 10))
        #expect(closedAfter > 0.7 && closedAfter < 5, "closed after \(closedAfter) s")
        #expect(await eventually { listener.counts().timedOut == 1 && listener.counts().open == 0 }, "\(listener.counts())")
        await listener.stop()
    }

    @Test("a request stalled half-way is closed after the request timeout; a connection that finished its request is not", arguments: ListenerKind.allCases)
    func stalledRequest(_ kind: ListenerKind) async throws {
        let listener = try await LimitedListener.start(kind, idle: .seconds(30), request: .seconds(1))
        let request = try RequestMessage(protocolVersion: .v1_4, payload: DiscoverVersionsRequest()).ttlvBytes()
        let whole: [UInt8]
        let half: [UInt8]
        switch kind {
        case .ttlv:
            whole = request
            half = Array(request.prefix(12))
        case .https:
            let head = "POST /kmip HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\nContent-Length: \(request.count)\r\n\r\n"
            whole = Array(head.utf8) + request
            half = Array(head.utf8) + request.prefix(12)
        }
        // A whole request, then a pause longer than the request timeout: still open.
        let patient = try await TLSProbe.connect(port: listener.port)
        try await patient.write(whole)
        #expect(await patient.secondsUntilClosed(within: 2.5) == nil)

        // Half a request, then nothing: closed after about a second.
        let stalled = try await TLSProbe.connect(port: listener.port)
        let sent = Date()
        try await stalled.write(half)
        let closedAfter = try #require(await stalled.secondsUntilClosed(within: 10, since: sent))
        #expect(closedAfter > 0.95 && closedAfter < 5, "closed after \(closedAfter) s")
        #expect(patient.channel.isActive)
        #expect(listener.counts().timedOut == 1)
        try? await patient.channel.close()
        await listener.stop()
    }

    @Test("connections over the maximum are closed at once and counted; a freed place is taken again", arguments: ListenerKind.allCases)
    func maximum(_ kind: ListenerKind) async throws {
        let listener = try await LimitedListener.start(kind, maximum: 2)
        var first: StallingSocket? = try StallingSocket(port: listener.port)
        let second = try StallingSocket(port: listener.port)
        // Connections are admitted on the event loop each is given, so two made at once may be
        // admitted in either order: the third is made once the first two hold their places.
        #expect(await eventually { listener.counts().open == 2 }, "the first two were not admitted: \(listener.counts())")
        let third = try StallingSocket(port: listener.port)
        let refusedAfter = try #require(third.secondsUntilClosed(within: 5))
        #expect(refusedAfter < 4)
        #expect(first?.secondsUntilClosed(within: 0.3) == nil && second.secondsUntilClosed(within: 0.3) == nil)
        #expect(listener.counts().open == 2 && listener.counts().refused == 1 && listener.counts().timedOut == 0)

        first = nil
        #expect(await eventually { listener.counts().open == 1 }, "the closed connection is still counted: \(listener.counts())")
        let fourth = try StallingSocket(port: listener.port)
        #expect(fourth.secondsUntilClosed(within: 0.5) == nil)
        #expect(listener.counts().refused == 1 && listener.counts().open == 2)
        _ = second
        await listener.stop()
    }
}
