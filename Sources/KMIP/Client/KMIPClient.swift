// swift-kmip: KMIP
//
// The KMIP client: typed operations over pooled mutual-TLS connections, version negotiation,
// batches, safe retries.

import Logging
import Metrics
import NIOCore
import NIOSSL

/// A client of a KMIP server over TTLV and mutual TLS.
///
/// ```swift
/// var tls = KMIPTLSConfiguration(
///     identity: .pemFiles(certificateChain: "client.pem", privateKey: "client.key"),
///     trustRoots: .pemFile("ca.pem"))
/// let client = try KMIPClient(configuration: .init(endpoints: [.init(host: "kms.example.com")], tls: tls))
/// let id = try await client.createSymmetricKey(algorithm: .aes, length: 256, name: "clip-key")
/// try await client.activate(id)
/// let key = try await client.get(id).object.keyBlock?.keyBytes
/// await client.shutdown()
/// ```
///
/// Every operation of KMIP 1.0 to 2.1 is available typed through ``perform(_:)`` (the request
/// payload picks the response type); everyday operations also have methods of their own.
/// Server failures are thrown as ``KMIPOperationError``; transport failures as `KMIPError` with
/// codes such as `.connectionFailed`, `.tlsFailure` and `.responseLost`.
///
/// **Retries.** A request is re-sent (on another connection) only when it provably never left,
/// or when every operation in it cannot change state (Get, Get Attributes, Get Attribute List,
/// Locate, Query, Discover Versions, Check, ...). Anything else that was sent without an answer
/// fails with `KMIPError.Code.responseLost`, whose `serverMayHaveExecuted` is `true`, also when the
/// calling task is cancelled while waiting.
public final class KMIPClient: Sendable {
    /// The configuration the client was made with.
    public let configuration: KMIPClientConfiguration
    private let pool: KMIPConnectionPool
    private let https: KMIPHTTPSTransport?
    private let negotiation: Negotiation

    /// Operations that cannot change state: safe to send again when a response was lost.
    public static let idempotentOperations: Set<Operation> = [
        .get, .getAttributes, .getAttributeList, .locate, .query, .discoverVersions, .check, .validate, .export,
        .hash, .rngRetrieve, .macVerify, .signatureVerify,
    ]

    /// Creates a client; connections are made on first use.
    ///
    /// - Throws: `KMIPError` `.tlsFailure` when a certificate, key or trust file cannot be read.
    public init(configuration: KMIPClientConfiguration) throws {
        self.configuration = configuration
        let context = try NIOSSLContext(configuration: Self.tlsConfiguration(configuration.tls))
        var pinnedKeys: [[UInt8]] = []
        do {
            for file in configuration.tls.pinnedCertificateFiles {
                for certificate in try NIOSSLCertificate.fromPEMFile(file) {
                    pinnedKeys.append(try certificate.extractPublicKey().toSPKIBytes())
                }
            }
        } catch {
            throw KMIPError(.tlsFailure, "cannot load the pinned certificates: \(KMIPConnection.describe(error))")
        }
        self.pool = KMIPConnectionPool(configuration: configuration, sslContext: context, pinnedKeys: pinnedKeys)
        if case .https(let path, let encoding) = configuration.transport {
            guard pinnedKeys.isEmpty else {
                throw KMIPError(.tlsFailure, "public-key pinning is available with the TTLV transport only, not with the HTTPS profile")
            }
            self.https = KMIPHTTPSTransport(configuration: configuration, tls: try Self.tlsConfiguration(configuration.tls), path: path, encoding: encoding)
        } else {
            self.https = nil
        }
        if case .fixed(let version) = configuration.versionPolicy {
            self.negotiation = Negotiation(version: version)
        } else {
            self.negotiation = Negotiation(version: nil)
        }
    }

    /// Closes every connection; the client cannot be used afterwards.
    public func shutdown() async {
        await pool.shutdown()
        await https?.shutdown()
    }

    // MARK: - Versions

    /// The protocol version requests use: the fixed one, or the one negotiated on first use.
    public func protocolVersion() async throws -> KMIPVersion {
        if let version = await negotiation.version { return version }
        return try await negotiation.negotiate { try await self.negotiate() }
    }

    /// Discover Versions from the highest supported version down; the first answer picks the
    /// highest version both sides speak. A server that rejects every Discover Versions (KMIP 1.0)
    /// is spoken to in the version of its last answer.
    private func negotiate() async throws -> KMIPVersion {
        let offered = configuration.supportedVersions
        var fallback = offered.last ?? .v1_0
        for candidate in offered where candidate >= .v1_1 {
            let request = RequestMessage(
                header: makeHeader(version: candidate),
                batchItems: [RequestBatchItem(DiscoverVersionsRequest(protocolVersions: offered.filter { $0 <= candidate }))])
            let response = try await exchange(request)
            guard let item = response.batchItems.first else { continue }
            if item.resultStatus == .success {
                let listed = item.payload(as: DiscoverVersionsResponse.self)?.protocolVersions ?? []
                if let common = listed.first(where: offered.contains) {
                    configuration.logger.info("negotiated KMIP \(common)", metadata: ["kmip.offered": "\(candidate)"])
                    return common
                }
                if listed.isEmpty { return candidate }  // the server speaks the request's version
            }
            fallback = response.protocolVersion
        }
        configuration.logger.info("Discover Versions not understood; using KMIP \(fallback)")
        return offered.contains(fallback) ? fallback : (offered.last ?? .v1_0)
    }

    // MARK: - Sending

    /// Sends a request message as it is and returns the server's response message.
    ///
    /// Retried as the type's documentation says. Result statuses are not checked.
    public func send(_ request: RequestMessage) async throws -> ResponseMessage {
        let response = try await exchange(request)
        if request.batchItems.count > 1 || response.batchItems.count > 1 {
            // Every answered item must be one the request asked for.
            let asked = Set(request.batchItems.compactMap(\.uniqueBatchItemID))
            for item in response.batchItems where item.uniqueBatchItemID.map({ !asked.contains($0) }) ?? false {
                throw KMIPError(.unexpectedResponse, "the response has a batch item the request did not ask for")
            }
        }
        return response
    }

    /// Sends any request message given as an item tree, exactly as it is (its own protocol
    /// version, batch items, fields the typed models do not know), and returns the server's
    /// response message as a tree.
    ///
    /// Retried as the type's documentation says (a request whose operations cannot all be read
    /// is never re-sent once it may have left). Result statuses are not checked.
    public func send(message request: KMIPItem) async throws -> KMIPItem {
        guard request.tag == .requestMessage else {
            throw KMIPError(.invalidValue, "a request message is a RequestMessage structure, not \(request.tag)")
        }
        var operations: [Operation] = []
        if case .structure(let children) = request.value {
            for batchItem in children where batchItem.tag == .batchItem {
                guard case .structure(let fields) = batchItem.value,
                    let operation = fields.first(where: { $0.tag == .operation }), case .enumeration(let raw) = operation.value
                else { continue }
                operations.append(Operation(rawValue: raw))
            }
        }
        let reply = try await exchange(bytes: try TTLVEncoder().encode(request), operations: operations, version: nil)
        do {
            return try TTLVDecoder(options: .tolerant).decode(reply)
        } catch let error as KMIPError {
            throw KMIPError(.unexpectedResponse, "the server's response does not decode: \(error)")
        }
    }

    /// Performs one operation and returns its typed response payload.
    ///
    /// - Throws: ``KMIPOperationError`` when the server reports a failure; `KMIPError` for
    ///   transport, encoding and version problems (`.unsupportedInVersion` before anything is sent).
    public func perform<Payload: KMIPRequestPayload>(_ payload: Payload) async throws -> Payload.Response {
        let version = try await protocolVersion()
        let request = RequestMessage(header: makeHeader(version: version), batchItems: [RequestBatchItem(payload)])
        let response = try await send(request)
        guard response.batchItems.count == 1, let item = response.batchItems.first else {
            throw KMIPError(.unexpectedResponse, "expected one batch item in the response, got \(response.batchItems.count)")
        }
        return try Self.typedResult(item, as: Payload.Response.self)
    }

    /// Performs the operations of `batch` in one message; one result per item, in order.
    public func perform(_ batch: KMIPBatch) async throws -> [Result<ResponsePayload, KMIPOperationError>] {
        let version = try await protocolVersion()
        var header = makeHeader(version: version)
        header.batchErrorContinuationOption = batch.errorContinuation
        header.batchOrderOption = batch.ordered
        header.maximumResponseSize = batch.maximumResponseSize
        var items: [RequestBatchItem] = []
        for (index, payload) in batch.items.enumerated() {
            guard let typed = payload.typed else {
                throw KMIPError(.invalidValue, "batch item \(index + 1) has a raw payload; use send(_:) for raw messages")
            }
            let id = withUnsafeBytes(of: UInt32(index + 1).bigEndian) { Array($0) }
            items.append(RequestBatchItem(operation: type(of: typed).operation, uniqueBatchItemID: id, payload: payload))
        }
        let response = try await send(RequestMessage(header: header, batchItems: items))
        return items.map { request in
            let answer = response.batchItems.first { $0.uniqueBatchItemID == request.uniqueBatchItemID }
                ?? (items.count == 1 ? response.batchItems.first : nil)
            guard let answer else {
                return .failure(KMIPOperationError(
                    operation: request.operation, resultStatus: .operationFailed, resultReason: nil,
                    resultMessage: "not processed: the server answered no result for this item (it stops a batch at the first failure unless told to continue)"))
            }
            if answer.resultStatus != .success { return .failure(KMIPOperationError(answer)) }
            return .success(answer.payload ?? .raw(KMIPItem(.responsePayload, structure: [])))
        }
    }

    // MARK: - Internals

    func makeHeader(version: KMIPVersion) -> RequestHeader {
        var header = RequestHeader(protocolVersion: version)
        if let credential = configuration.credential {
            header.authentication = Authentication(credentials: [credential])
        }
        return header
    }

    static func typedResult<Response: KMIPResponsePayload>(_ item: ResponseBatchItem, as type: Response.Type) throws -> Response {
        guard item.resultStatus == .success else { throw KMIPOperationError(item) }
        if let payload = item.payload {
            if let typed = payload.typed as? Response { return typed }
            if case .raw(let tree) = payload { return try Response(kmipItem: tree, context: .tolerant) }
            throw KMIPError(.unexpectedResponse, "the response carries a \(String(describing: item.operation)) payload, not \(Response.self)")
        }
        // Operations whose response payload has no required fields may come without one.
        return try Response(kmipItem: KMIPItem(.responsePayload, structure: []), context: .tolerant)
    }

    /// Encodes, sends with the retry rules, decodes.
    private func exchange(_ request: RequestMessage) async throws -> ResponseMessage {
        let reply = try await exchange(bytes: try request.ttlvBytes(), operations: request.batchItems.map(\.operation), version: request.protocolVersion)
        let response: ResponseMessage
        do {
            response = try ResponseMessage(ttlv: reply)
        } catch let error as KMIPError {
            throw KMIPError(.unexpectedResponse, "the server's response does not decode: \(error)")
        }
        configuration.logger.debug(
            "request answered",
            metadata: [
                "kmip.version": "\(request.protocolVersion)",
                "kmip.results": "\(response.batchItems.map { "\($0.resultStatus)" }.joined(separator: ","))",
            ])
        return response
    }

    /// Sends a request's bytes with the retry rules; returns the response's bytes.
    private func exchange(bytes: [UInt8], operations: [Operation], version: KMIPVersion?) async throws -> [UInt8] {
        let idempotent = !operations.isEmpty && operations.allSatisfy { Self.idempotentOperations.contains($0) }
        let names = operations.map { "\($0)" }.joined(separator: ",")
        var attempt = 0
        let started = ContinuousClock.now
        while true {
            let reply: [UInt8]
            do {
                if let https {
                    reply = try await https.send(bytes, timeout: configuration.requestTimeout)
                } else {
                    let connection = try await pool.acquire()
                    do {
                        let answer = try await connection.send(bytes, timeout: configuration.requestTimeout)
                        await pool.release(connection, reusable: true)
                        reply = answer
                    } catch {
                        await pool.release(connection, reusable: false)
                        throw error
                    }
                }
            } catch let error as KMIPError {
                let neverLeft = error.code == .connectionClosed || (https != nil && error.code == .connectionFailed)
                if attempt < configuration.maximumRetries && !Task.isCancelled && (neverLeft || (idempotent && error.code == .responseLost)) {
                    attempt += 1
                    configuration.logger.notice(
                        "retrying", metadata: ["kmip.operations": "\(names)", "kmip.attempt": "\(attempt)", "kmip.error": "\(error.reason)"])
                    continue
                }
                Counter(label: "kmip_client_requests_total", dimensions: [("result", "transport_error")]).increment()
                configuration.logger.warning(
                    "request failed", metadata: ["kmip.operations": "\(names)", "kmip.error": "\(error.reason)"])
                throw error
            }
            let elapsed = ContinuousClock.now - started
            Counter(label: "kmip_client_requests_total", dimensions: [("result", "answered")]).increment()
            Timer(label: "kmip_client_request_duration").recordNanoseconds(
                elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
            configuration.logger.debug(
                "response received",
                metadata: [
                    "kmip.operations": "\(names)", "kmip.version": "\(version.map { "\($0)" } ?? "as sent")",
                    "kmip.milliseconds": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
                ])
            return reply
        }
    }

    static func tlsConfiguration(_ tls: KMIPTLSConfiguration) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if !tls.allowsTLS13 { configuration.maximumTLSVersion = .tlsv12 }
        configuration.certificateVerification = tls.verifiesHostname ? .fullVerification : .noHostnameVerification
        if let suites = tls.cipherSuites { configuration.cipherSuites = suites }
        do {
            switch tls.trustRoots {
            case .system: configuration.trustRoots = .default
            case .pemFile(let path):
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
            }
            switch tls.identity {
            case .none:
                break
            case .pemFiles(let chain, let key, let passphrase):
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(chain).map { .certificate($0) }
                if let passphrase {
                    configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem) { $0(Array(passphrase.utf8)) })
                } else {
                    configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
                }
            case .pkcs12File(let path, let passphrase):
                let bundle = try NIOSSLPKCS12Bundle(file: path, passphrase: Array(passphrase.utf8))
                configuration.certificateChain = bundle.certificateChain.map { .certificate($0) }
                configuration.privateKey = .privateKey(bundle.privateKey)
            }
        } catch {
            throw KMIPError(.tlsFailure, "cannot load the TLS certificates or key: \(KMIPConnection.describe(error))")
        }
        return configuration
    }
}

extension KMIPOperationError {
    /// A failure made up by the client (an item the server did not answer).
    init(operation: Operation?, resultStatus: ResultStatus, resultReason: ResultReason?, resultMessage: String?) {
        self.operation = operation
        self.resultStatus = resultStatus
        self.resultReason = resultReason
        self.resultMessage = resultMessage
        self.asynchronousCorrelationValue = nil
        self.uniqueBatchItemID = nil
    }
}

/// The negotiated protocol version, found once.
private actor Negotiation {
    var version: KMIPVersion?
    private var running: Task<KMIPVersion, any Error>?

    init(version: KMIPVersion?) { self.version = version }

    func negotiate(_ body: @escaping @Sendable () async throws -> KMIPVersion) async throws -> KMIPVersion {
        if let version { return version }
        if let running { return try await running.value }
        let task = Task { try await body() }
        running = task
        do {
            let found = try await task.value
            version = found
            running = nil
            return found
        } catch {
            running = nil
            throw error
        }
    }
}

/// Several operations for one request message.
///
/// ```swift
/// var batch = KMIPBatch()
/// batch.add(CreateRequest(objectType: .symmetricKey, attributes: attributes))
/// batch.add(ActivateRequest())          // no identifier: the ID Placeholder (the key just created)
/// batch.add(GetRequest())
/// let results = try await client.perform(batch)
/// ```
public struct KMIPBatch: Sendable {
    /// The request payloads, in order.
    public var items: [RequestPayload] = []
    /// What the server does after a failed item: Stop (default), Continue or Undo.
    public var errorContinuation: BatchErrorContinuationOption?
    /// Whether the server must process the items in order.
    public var ordered: Bool?
    /// Maximum Response Size in bytes.
    public var maximumResponseSize: Int32?

    /// Creates an empty batch.
    public init(errorContinuation: BatchErrorContinuationOption? = nil) {
        self.errorContinuation = errorContinuation
    }

    /// Appends an operation.
    public mutating func add(_ payload: some KMIPRequestPayload) {
        items.append(RequestPayload(payload))
    }
}
