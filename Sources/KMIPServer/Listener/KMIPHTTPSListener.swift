// swift-kmip: KMIPServer
//
// The HTTPS profile (KMIP Additional Message Encodings v1.0 §2): POST /kmip over mutual TLS with a
// TTLV (application/octet-stream), XML (text/xml) or JSON (application/json) body, answered in
// the same encoding.

import KMIP
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// The reference server's HTTPS listener: the same engine and identities as the TTLV listener,
/// behind HTTP/1.1 on mutual TLS.
public final class KMIPHTTPSListener: Sendable {
    /// The path requests are posted to.
    public static let path = "/kmip"

    let channel: any Channel
    let gate: ConnectionGate
    /// The port it listens on (the one chosen by the system when the configuration said 0).
    public let port: Int

    private init(channel: any Channel, port: Int, gate: ConnectionGate) {
        self.channel = channel
        self.port = port
        self.gate = gate
    }

    /// Connections open now, refused over the maximum, and closed for a timeout.
    public var connectionCounts: KMIPConnectionCounts { gate.current }

    /// Starts listening; the certificate, key, client CA, address, message size limit, timeouts and
    /// maximum number of connections are the TTLV listener's configuration (the request timeout
    /// runs from a request's first byte to its end).
    public static func start(
        engine: KMIPServerEngine, configuration: KMIPTLSListener.Configuration, logger: Logger = Logger(label: "swift-kmip.server")
    ) async throws -> KMIPHTTPSListener {
        let context = try KMIPTLSListener.serverContext(configuration)
        let maximum = configuration.maximumMessageSize
        let gate = ConnectionGate(maximum: configuration.maximumConnections)
        let (channel, port) = try await KMIPTLSListener.bind(configuration, gate: gate, logger: logger, label: "listening (HTTPS)") { channel, deadlines in
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
            try channel.pipeline.syncOperations.addHandler(deadlines)
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
            try channel.pipeline.syncOperations.addHandler(KMIPHTTPSHandler(engine: engine, maximumBodySize: maximum, logger: logger))
        }
        return KMIPHTTPSListener(channel: channel, port: port, gate: gate)
    }

    /// Stops accepting connections.
    public func shutdown() async {
        try? await channel.close()
    }
}

/// The body encodings of the HTTPS profile, by Content-Type.
enum KMIPHTTPEncoding: String {
    case ttlv = "application/octet-stream"
    case xml = "text/xml"
    case json = "application/json"

    init?(contentType: String) {
        let type = contentType.split(separator: ";").first.map { String($0.filter { $0 != " " && $0 != "\t" }).lowercased() } ?? ""
        switch type {
        case "application/octet-stream": self = .ttlv
        case "text/xml", "application/xml": self = .xml
        case "application/json": self = .json
        default: return nil
        }
    }

    func decode(_ body: [UInt8]) throws -> KMIPItem {
        switch self {
        case .ttlv: try TTLVDecoder().decode(body)
        case .xml: try KMIPXMLDecoder().decode(body)
        case .json: try KMIPJSONDecoder().decode(body)
        }
    }

    func encode(_ item: KMIPItem) throws -> [UInt8] {
        switch self {
        case .ttlv: try TTLVEncoder().encode(item)
        case .xml: Array(KMIPXMLEncoder().encode(item).utf8)
        case .json: Array(KMIPJSONEncoder().encode(item).utf8)
        }
    }
}

final class KMIPHTTPSHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let engine: KMIPServerEngine
    let maximumBodySize: Int
    let logger: Logger
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false
    private var identity: String?

    init(engine: KMIPServerEngine, maximumBodySize: Int, logger: Logger) {
        self.engine = engine
        self.maximumBodySize = maximumBodySize
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            tooLarge = false
        case .body(var chunk):
            if body.count + chunk.readableBytes > maximumBodySize {
                tooLarge = true
            } else if !tooLarge {
                body += chunk.readBytes(length: chunk.readableBytes) ?? []
            }
        case .end:
            // The whole request is here: its clock stops, the idle one starts.
            context.triggerUserOutboundEvent(KMIPRequestReceived(), promise: nil)
            guard let head else { return }
            self.head = nil
            respond(context: context, head: head)
        }
    }

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead) {
        guard !tooLarge else { return send(context, head, .payloadTooLarge, "text/plain", Array("the body is larger than \(maximumBodySize) bytes\n".utf8)) }
        guard head.uri.split(separator: "?").first.map(String.init) == KMIPHTTPSListener.path else {
            return send(context, head, .notFound, "text/plain", Array("KMIP requests are posted to \(KMIPHTTPSListener.path)\n".utf8))
        }
        guard head.method == .POST else {
            return send(context, head, .methodNotAllowed, "text/plain", Array("KMIP requests are POSTed\n".utf8))
        }
        guard let encoding = head.headers.first(name: "content-type").flatMap(KMIPHTTPEncoding.init(contentType:)) else {
            return send(
                context, head, .unsupportedMediaType, "text/plain",
                Array("Content-Type must be application/octet-stream (TTLV), text/xml or application/json\n".utf8))
        }
        if identity == nil {
            let certificate = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self).peerCertificate
            identity = (try? certificate?.toDERBytes()).flatMap { subjectCommonName(ofDER: $0) } ?? "unknown"
        }
        let identity = self.identity ?? "unknown"
        let engine = self.engine
        let request = body
        body = []
        let answer = context.eventLoop.makeFutureWithTask {
            await Self.answer(request, encoding: encoding, identity: identity, engine: engine)
        }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        answer.whenComplete { result in
            let (handler, context) = loopBound.value
            switch result {
            case .success(let bytes): handler.send(context, head, .ok, encoding.rawValue, bytes)
            case .failure(let error): handler.send(context, head, .internalServerError, "text/plain", Array("\(error)\n".utf8))
            }
        }
    }

    private func send(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, _ status: HTTPResponseStatus, _ type: String, _ bytes: [UInt8]) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: type)
        headers.add(name: "Content-Length", value: "\(bytes.count)")
        headers.add(name: "Cache-Control", value: "no-cache")
        let keepAlive = head.isKeepAlive && status == .ok
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: bytes)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.notice("HTTPS connection error", metadata: ["kmip.error": "\(error)"])
        context.close(promise: nil)
    }

    /// The engine's answer to a body, in the body's encoding; a body that does not decode gets
    /// an Invalid Message answer.
    static func answer(_ body: [UInt8], encoding: KMIPHTTPEncoding, identity: String, engine: KMIPServerEngine) async -> [UInt8] {
        do {
            let request = try RequestMessage(tree: try encoding.decode(body))
            return try encoding.encode(try await engine.handle(request, identity: identity).tree())
        } catch {
            let response = ResponseMessage(
                header: ResponseHeader(protocolVersion: .v1_0, timeStamp: KMIPDateTime(secondsSince1970: SystemClock.secondsSince1970())),
                batchItems: [ResponseBatchItem(
                    operation: nil, resultStatus: .operationFailed, resultReason: .invalidMessage,
                    resultMessage: "the request does not decode: \(error)")])
            return (try? encoding.encode(try response.tree())) ?? []
        }
    }
}
