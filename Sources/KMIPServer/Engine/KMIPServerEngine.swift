// swift-kmip: KMIPServer
//
// Typed request dispatch: one request message in, one response message out, in the version of
// the request (KMIP 1.0 to 2.1).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KMIP
import Logging

/// A failure of one batch item, answered as Result Status Operation Failed with a reason.
struct OperationFailure: Error {
    var reason: ResultReason
    var message: String
    init(_ reason: ResultReason, _ message: String) {
        self.reason = reason
        self.message = message
    }
}

/// The reference server's request processing.
///
/// Requests are processed one after the other, each batch as a whole.
///
/// It answers every request in its own protocol version, processes batch items in order with the
/// ID Placeholder, and stops at the first failure unless the request says Continue; with Undo, a
/// failure rolls back the earlier items' changes and answers them as Operation Undone. Objects belong to the identity that created them; other
/// identities are refused them (Permission Denied) and do not see them in Locate.
public actor KMIPServerEngine {
    /// The protocol versions the server speaks, preferred first.
    public static let supportedVersions: [KMIPVersion] = KMIPVersion.specified.reversed()
    /// The Vendor Identification answered to Query.
    public static let vendorIdentification = "swift-kmip reference server"

    let store: any KMIPObjectStore
    let logger: Logger
    let auditLog: KMIPAuditLog?
    let policy: KMIPAccessPolicy
    let credentials: (any KMIPCredentialVerifier)?
    let cryptography: any KMIPServerCryptography = KMIPServerEngine.defaultCryptography
    var clock: @Sendable () -> KMIPDateTime

    /// Creates an engine on `store`, with `policy` granting identities access to objects they do
    /// not own, recording every operation in `auditLog` when given. With `credentials`, every
    /// request must also carry a Username and Password credential they accept (besides the
    /// client certificate, which stays the identity); others are answered Authentication Not
    /// Successful.
    public init(
        store: any KMIPObjectStore, policy: KMIPAccessPolicy = .ownerOnly, auditLog: KMIPAuditLog? = nil,
        credentials: (any KMIPCredentialVerifier)? = nil, logger: Logger = Logger(label: "swift-kmip.server")
    ) {
        self.store = store
        self.policy = policy
        self.credentials = credentials
        self.auditLog = auditLog
        self.logger = logger
        self.clock = { KMIPDateTime(secondsSince1970: SystemClock.secondsSince1970()) }
    }

    /// Requests are processed one at a time: the store is awaited in the middle of a
    /// read-modify-write, and an actor lets other requests run at every await, so without this
    /// a concurrent Destroy could be overwritten by an older copy of the object.
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    private func acquire() async {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            busy = true
        }
    }

    private func release() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }

    /// Answers a request sent by `identity`.
    public func handle(_ request: RequestMessage, identity: String) async -> ResponseMessage {
        await acquire()
        defer { release() }
        return await process(request, identity: identity)
    }

    private func process(_ request: RequestMessage, identity: String) async -> ResponseMessage {
        let version = request.protocolVersion
        guard Self.supportedVersions.contains(version) else {
            let header = ResponseHeader(protocolVersion: .v1_0, timeStamp: clock())
            return ResponseMessage(header: header, batchItems: [ResponseBatchItem(
                operation: nil, resultStatus: .operationFailed, resultReason: .invalidMessage,
                resultMessage: "protocol version \(version) is not supported (this server speaks \(Self.supportedVersions.map(\.description).joined(separator: ", ")))")])
        }
        let header = ResponseHeader(protocolVersion: version, timeStamp: clock())
        if let credentials, let refusal = authenticationFailure(request, credentials) {
            logger.warning("authentication not successful", metadata: ["kmip.identity": "\(identity)", "kmip.reason": "\(refusal)"])
            let items = request.batchItems.map {
                ResponseBatchItem(
                    operation: $0.operation, uniqueBatchItemID: $0.uniqueBatchItemID, resultStatus: .operationFailed,
                    resultReason: .authenticationNotSuccessful, resultMessage: refusal)
            }
            for item in items {
                auditLog?.append(KMIPAuditLog.Record(
                    time: clock().description, identity: identity, version: version.description, operation: item.operation.map { "\($0)" } ?? "-",
                    object: nil, result: "\(ResultStatus.operationFailed): \(ResultReason.authenticationNotSuccessful)"))
            }
            return ResponseMessage(header: header, batchItems: items)
        }
        // The Client Correlation Value is for the client's and server's logs; the OASIS test
        // cases show servers answering without it.
        let undoing = request.header.batchErrorContinuationOption == .undo
        journal = undoing ? [] : nil
        defer { journal = nil }
        if request.batchItems.count > 1, request.batchItems.contains(where: { $0.uniqueBatchItemID == nil }) {
            return ResponseMessage(header: header, batchItems: [ResponseBatchItem(
                operation: nil, resultStatus: .operationFailed, resultReason: .invalidMessage,
                resultMessage: "a batch of several items needs a Unique Batch Item ID on every item")])
        }
        var context = RequestContext(identity: identity, version: version, placeholder: nil, operation: .discoverVersions)
        var items: [ResponseBatchItem] = []
        for item in request.batchItems {
            var answer = ResponseBatchItem(operation: item.operation, uniqueBatchItemID: item.uniqueBatchItemID, resultStatus: .success)
            context.operation = item.operation
            do {
                answer.payload = try await perform(item.payload, operation: item.operation, context: &context)
            } catch let failure as OperationFailure {
                answer.resultStatus = .operationFailed
                answer.resultReason = failure.reason
                answer.resultMessage = failure.message
            } catch {
                answer.resultStatus = .operationFailed
                answer.resultReason = .generalFailure
                answer.resultMessage = "\(error)"
            }
            logger.info(
                "\(item.operation)",
                metadata: ["kmip.identity": "\(identity)", "kmip.version": "\(version)", "kmip.result": "\(answer.resultStatus)"])
            if let payload = answer.payload {
                // Never answer with something the version cannot carry.
                do {
                    _ = try payload.kmipItem(tag: .responsePayload, context: KMIPEncodingContext(version: version))
                } catch {
                    answer.payload = nil
                    answer.resultStatus = .operationFailed
                    answer.resultReason = .generalFailure
                    answer.resultMessage = "the result cannot be written in KMIP \(version): \(error)"
                }
            }
            if let auditLog {
                auditLog.append(KMIPAuditLog.Record(
                    time: clock().description, identity: identity, version: version.description, operation: "\(item.operation)",
                    object: Self.objectIdentifier(answer.payload, item.payload, version: version),
                    result: answer.resultReason.map { "\(answer.resultStatus): \($0)" } ?? "\(answer.resultStatus)"))
            }
            items.append(answer)
            if answer.resultStatus != .success && undoing {
                // Undo: every change of the earlier items is rolled back, newest first, and
                // they are answered as undone (1.x §6.7, 2.x §9.7).
                await rollBack()
                for index in items.indices.dropLast() where items[index].resultStatus == .success {
                    items[index].resultStatus = .operationUndone
                    items[index].payload = nil
                }
                break
            }
            if answer.resultStatus != .success && request.header.batchErrorContinuationOption != .continue { break }
        }
        let response = ResponseMessage(header: header, batchItems: items)
        // Maximum Response Size (1.x §3.x, 2.x §7.x): a larger answer is replaced by Response Too Large.
        if let limit = request.header.maximumResponseSize, let size = try? response.ttlvBytes().count, size > Int(limit) {
            return ResponseMessage(header: header, batchItems: items.map {
                ResponseBatchItem(
                    operation: $0.operation, uniqueBatchItemID: $0.uniqueBatchItemID, resultStatus: .operationFailed,
                    resultReason: .responseTooLarge, resultMessage: "the response would be \(size) bytes; the request allows \(limit)")
            })
        }
        return response
    }

    /// Why a request's credentials are not accepted (never the password), or `nil` when its
    /// Username and Password credential is right.
    func authenticationFailure(_ request: RequestMessage, _ credentials: any KMIPCredentialVerifier) -> String? {
        for credential in request.header.authentication?.credentials ?? [] {
            guard case .usernameAndPassword(let given) = credential else { continue }
            guard let password = given.password, credentials.verify(username: given.username, password: password) else {
                return "the username or password is not right"
            }
            return nil
        }
        return "this server requires a Username and Password credential in the request header"
    }

    /// The Unique Identifier an item operated on: the response's, else the request's.
    static func objectIdentifier(_ response: ResponsePayload?, _ request: RequestPayload, version: KMIPVersion) -> String? {
        let context = KMIPEncodingContext(version: version)
        for item in [try? response?.kmipItem(tag: .responsePayload, context: context), try? request.kmipItem(tag: .requestPayload, context: context)] {
            guard case .structure(let children)? = item?.value else { continue }
            for child in children where child.tag == .uniqueIdentifier {
                if case .textString(let text) = child.value { return text }
            }
        }
        return nil
    }

    /// Changes made by the batch being processed, kept only when its option is Undo.
    enum JournalEntry {
        case inserted(String)
        case updated(StoredObject)
    }
    var journal: [JournalEntry]?

    func rollBack() async {
        for entry in (journal ?? []).reversed() {
            do {
                switch entry {
                case .inserted(let id): try await store.remove(id)
                case .updated(let previous): try await store.update(previous)
                }
            } catch {
                logger.error("cannot undo a batch item's change", metadata: ["kmip.error": "\(error)"])
            }
        }
        journal = []
    }

    struct RequestContext {
        var identity: String
        var version: KMIPVersion
        var placeholder: String?
        /// The operation of the batch item being performed.
        var operation: Operation
    }

    // MARK: - Dispatch

    func perform(_ payload: RequestPayload, operation: Operation, context: inout RequestContext) async throws -> ResponsePayload {
        if let typed = payload.typed, !type(of: typed).versions.contains(context.version) {
            throw OperationFailure(.operationNotSupported, "\(operation) does not exist in KMIP \(context.version)")
        }
        switch payload {
        case .discoverVersions(let request):
            let offered = request.protocolVersions
            let answer = offered.isEmpty ? Self.supportedVersions : Self.supportedVersions.filter(offered.contains)
            return .discoverVersions(DiscoverVersionsResponse(protocolVersions: answer))
        case .query(let request):
            return .query(query(request))
        case .encrypt(let request):
            return .encrypt(try await encrypt(request, context: context))
        case .decrypt(let request):
            return .decrypt(try await decrypt(request, context: context))
        case .mac(let request):
            return .mac(try await mac(request, context: context))
        case .hash(let request):
            return .hash(try hash(request))
        case .sign(let request):
            return .sign(try await sign(request, context: context))
        case .signatureVerify(let request):
            return .signatureVerify(try await signatureVerify(request, context: context))
        case .rngRetrieve(let request):
            return .rngRetrieve(try rngRetrieve(request))
        case .log(let request):
            // A client's message for the server's log (2.x §6.1.30); it goes to the logger only.
            logger.notice("client log message", metadata: ["kmip.identity": "\(context.identity)", "kmip.log": "\(request.logMessage.prefix(1000))"])
            return .log(LogResponse())
        case .interop:
            // Begin, End and Reset of an interoperability test run (2.x §6.1.27): nothing to keep.
            return .interop(InteropResponse())
        case .create(let request):
            let id = try await create(request, context: context)
            context.placeholder = id
            return .create(CreateResponse(objectType: request.objectType, uniqueIdentifier: .text(id)))
        case .createKeyPair(let request):
            let ids = try await createKeyPair(request, context: context)
            // The ID Placeholder is the private key's identifier.
            context.placeholder = ids.privateKey
            return .createKeyPair(CreateKeyPairResponse(privateKeyUniqueIdentifier: .text(ids.privateKey), publicKeyUniqueIdentifier: .text(ids.publicKey)))
        case .register(let request):
            let id = try await register(request, context: context)
            context.placeholder = id
            return .register(RegisterResponse(uniqueIdentifier: .text(id)))
        case .reKey(let request):
            let id = try await reKey(request, context: context)
            context.placeholder = id
            return .reKey(ReKeyResponse(uniqueIdentifier: .text(id)))
        case .reKeyKeyPair(let request):
            let ids = try await reKeyKeyPair(request, context: context)
            // The ID Placeholder is the new private key's identifier.
            context.placeholder = ids.privateKey
            return .reKeyKeyPair(ReKeyKeyPairResponse(privateKeyUniqueIdentifier: .text(ids.privateKey), publicKeyUniqueIdentifier: .text(ids.publicKey)))
        case .check(let request):
            return .check(try await check(request, context: &context))
        case .adjustAttribute(let request):
            return .adjustAttribute(try await adjustAttribute(request, context: context))
        case .get(let request):
            let stored = try await owned(request.uniqueIdentifier, context)
            guard var object = stored.object else {
                throw OperationFailure(.objectDestroyed, "object \(stored.id) was destroyed")
            }
            if let format = request.keyFormatType {
                object = try converted(object, to: format, id: stored.id)
            }
            if let specification = request.keyWrappingSpecification {
                object = try await wrapped(object, specification, id: stored.id, context: context)
            }
            if stored.attributes.fresh == true {
                var served = stored
                served.attributes.fresh = false
                try await store.update(served)
            }
            return .get(GetResponse(objectType: stored.objectType, uniqueIdentifier: .text(stored.id), object: object))
        case .getAttributes(let request):
            let stored = try await owned(request.uniqueIdentifier, context)
            var attributes = stored.attributes
            if !request.attributeNames.isEmpty {
                // In the order asked for, every instance of each.
                var seen: Set<AttributeName> = []
                attributes.list = request.attributeNames.filter { seen.insert($0).inserted }.flatMap { attributes.all($0) }
            }
            if context.version.major < 2 {
                // KMIP 1.x numbers the instances of a multi-instance attribute (1.x §2.1.1): the
                // first is index 0 (left out), the next 1, ... in the order they are held.
                var counts: [AttributeName: Int32] = [:]
                for position in attributes.list.indices {
                    let name = attributes.list[position].name
                    let count = counts[name, default: 0]
                    if count > 0, attributes.list[position].index == nil { attributes.list[position].index = count }
                    counts[name] = count + 1
                }
            }
            return .getAttributes(GetAttributesResponse(uniqueIdentifier: .text(stored.id), attributes: attributes))
        case .getAttributeList(let request):
            let stored = try await owned(request.uniqueIdentifier, context)
            var names: [AttributeName] = []
            for attribute in stored.attributes where !names.contains(attribute.name) { names.append(attribute.name) }
            return .getAttributeList(GetAttributeListResponse(uniqueIdentifier: .text(stored.id), attributeNames: names))
        case .locate(let request):
            return .locate(try await locate(request, context: context))
        case .activate(let request):
            var stored = try await owned(request.uniqueIdentifier, context)
            guard stored.attributes.state == .preActive else {
                throw OperationFailure(wrongState(context), "object \(stored.id) is \(stored.attributes.state.map { "\($0)" } ?? "-"), not Pre-Active")
            }
            stored.attributes.state = .active
            stored.attributes.activationDate = clock()
            try await save(&stored)
            return .activate(ActivateResponse(uniqueIdentifier: .text(stored.id)))
        case .revoke(let request):
            var stored = try await owned(request.uniqueIdentifier, context)
            let reason = request.revocationReason.revocationReasonCode
            let state = stored.attributes.state ?? .preActive
            if reason == .keyCompromise || reason == .caCompromise {
                guard state != .destroyed && state != .destroyedCompromised else {
                    throw OperationFailure(wrongState(context), "object \(stored.id) is destroyed")
                }
                stored.attributes.state = .compromised
                stored.attributes.compromiseOccurrenceDate = request.compromiseOccurrenceDate ?? clock()
                stored.attributes.compromiseDate = clock()
            } else {
                guard state == .active else {
                    throw OperationFailure(wrongState(context), "object \(stored.id) is \(state), only an Active object is revoked for \(reason)")
                }
                stored.attributes.state = .deactivated
                stored.attributes.deactivationDate = clock()
            }
            stored.attributes.revocationReason = request.revocationReason
            try await save(&stored)
            return .revoke(RevokeResponse(uniqueIdentifier: .text(stored.id)))
        case .destroy(let request):
            var stored = try await owned(request.uniqueIdentifier, context)
            let state = stored.attributes.state ?? .preActive
            if state == .active {
                throw OperationFailure(.permissionDenied, "object \(stored.id) is Active: revoke it before destroying it")
            }
            stored.object = nil
            stored.attributes.state = state == .compromised ? .destroyedCompromised : .destroyed
            stored.attributes.destroyDate = clock()
            try await save(&stored)
            return .destroy(DestroyResponse(uniqueIdentifier: .text(stored.id)))
        case .addAttribute(let request):
            var stored = try await owned(request.uniqueIdentifier, context)
            try Self.checkClientModifiable(request.attribute.name)
            stored.attributes.append(request.attribute)
            try await save(&stored)
            return .addAttribute(AddAttributeResponse(uniqueIdentifier: .text(stored.id), attribute: context.version.major < 2 ? request.attribute : nil))
        case .setAttribute(let request):
            var stored = try await owned(request.uniqueIdentifier, context)
            try Self.checkClientModifiable(request.attribute.name)
            stored.attributes.remove(request.attribute.name)
            stored.attributes.append(request.attribute)
            try await save(&stored)
            return .setAttribute(SetAttributeResponse(uniqueIdentifier: .text(stored.id)))
        case .modifyAttribute(let request):
            var stored = try await owned(request.uniqueIdentifier, context)
            try Self.checkClientModifiable(request.attribute.name)
            let target = request.currentAttribute ?? request.attribute
            guard let index = stored.attributes.list.firstIndex(where: {
                $0.name == target.name && (request.currentAttribute == nil ? ($0.index ?? 0) == (target.index ?? 0) : $0.value == target.value)
            }) else {
                throw OperationFailure(.itemNotFound, "object \(stored.id) has no such \(target.name)")
            }
            stored.attributes.list[index].value = request.attribute.value
            try await save(&stored)
            return .modifyAttribute(ModifyAttributeResponse(uniqueIdentifier: .text(stored.id), attribute: context.version.major < 2 ? request.attribute : nil))
        case .deleteAttribute(let request):
            var stored = try await owned(request.uniqueIdentifier, context)
            let name = request.attributeName ?? request.currentAttribute?.name
            guard let name else { throw OperationFailure(.invalidField, "Delete Attribute needs an attribute") }
            try Self.checkClientModifiable(name)
            let instances = stored.attributes.list.indices.filter { stored.attributes.list[$0].name == name }
            let position = request.attributeIndex.map { Int($0) } ?? 0
            let chosen: Int?
            if let current = request.currentAttribute {
                chosen = instances.first { stored.attributes.list[$0].value == current.value }
            } else {
                chosen = position < instances.count ? instances[position] : nil
            }
            guard let chosen else { throw OperationFailure(.itemNotFound, "object \(stored.id) has no such \(name)") }
            let removed = stored.attributes.list.remove(at: chosen)
            try await save(&stored)
            return .deleteAttribute(DeleteAttributeResponse(uniqueIdentifier: .text(stored.id), attribute: context.version.major < 2 ? removed : nil))
        case .raw:
            throw OperationFailure(.operationNotSupported, "operation \(operation) is not supported by this server")
        default:
            throw OperationFailure(.operationNotSupported, "\(operation) is not supported by this server yet")
        }
    }

    /// The operations this engine implements (answered to Query).
    static let implemented: [Operation] = [
        .create, .createKeyPair, .register, .locate, .get, .getAttributes, .getAttributeList, .addAttribute, .modifyAttribute,
        .deleteAttribute, .setAttribute, .activate, .revoke, .destroy, .query, .discoverVersions, .interop, .log,
        .encrypt, .decrypt, .mac, .hash, .rngRetrieve, .sign, .signatureVerify, .reKey, .reKeyKeyPair, .check, .adjustAttribute,
    ]

    func query(_ request: QueryRequest) -> QueryResponse {
        var response = QueryResponse()
        if request.queryFunctions.contains(.queryOperations) { response.operations = Self.implemented }
        if request.queryFunctions.contains(.queryObjects) { response.objectTypes = [.symmetricKey, .secretData, .opaqueObject, .publicKey, .privateKey, .certificate] }
        if request.queryFunctions.contains(.queryServerInformation) { response.vendorIdentification = Self.vendorIdentification }
        return response
    }

    func wrongState(_ context: RequestContext) -> ResultReason {
        context.version.major >= 2 ? .wrongKeyLifecycleState : .permissionDenied
    }

    /// Server-managed attributes a client may not add, set, modify or delete.
    static let serverManaged: Set<AttributeName> = [
        .uniqueIdentifier, .objectType, .state, .initialDate, .activationDate, .deactivationDate, .destroyDate,
        .compromiseDate, .compromiseOccurrenceDate, .lastChangeDate, .cryptographicAlgorithm, .cryptographicLength,
        .revocationReason, .originalCreationDate, .digest, .fresh, .keyValuePresent,
    ]

    /// Server-managed attributes a client may give when it creates or registers an object.
    static let settableAtCreation: Set<AttributeName> = [
        .cryptographicAlgorithm, .cryptographicLength, .activationDate, .deactivationDate, .fresh, .originalCreationDate,
        .compromiseOccurrenceDate,
    ]

    static func checkClientModifiable(_ name: AttributeName) throws {
        if serverManaged.contains(name) {
            throw OperationFailure(.attributeReadOnly, "\(name) is set by the server")
        }
        // Usage Limits are given at creation; changing them later would reset what is left.
        if name == .usageLimits {
            throw OperationFailure(.attributeReadOnly, "Usage Limits are fixed once the object exists")
        }
    }

    // MARK: - Objects

    func owned(_ id: UniqueIdentifier?, _ context: RequestContext) async throws -> StoredObject {
        let key: String
        switch id {
        case .text(let text)?: key = text
        case nil, .enumeration(.idPlaceholder)?:
            guard let placeholder = context.placeholder else {
                throw OperationFailure(.invalidField, "no Unique Identifier, and no ID Placeholder from an earlier batch item")
            }
            key = placeholder
        default:
            throw OperationFailure(.invalidField, "this server takes text Unique Identifiers or the ID Placeholder")
        }
        guard let stored = try await store.object(key) else {
            // KMIP 2.x answers Object Not Found; 1.x Item Not Found.
            throw OperationFailure(context.version.major >= 2 ? .objectNotFound : .itemNotFound, "no object \(key)")
        }
        guard may(context, context.operation, stored) else {
            throw OperationFailure(.permissionDenied, "object \(key) belongs to another identity, and no grant lets \(context.identity) \(context.operation) it")
        }
        return stored
    }

    /// Whether the requester may perform `operation` on `stored`: it owns it, or the policy grants it.
    func may(_ context: RequestContext, _ operation: Operation, _ stored: StoredObject) -> Bool {
        stored.owner == context.identity
            || policy.allows(context.identity, operation, objectGroups: stored.attributes.objectGroups)
    }

    func save(_ stored: inout StoredObject) async throws {
        stored.attributes.lastChangeDate = clock()
        if journal != nil, let previous = try await store.object(stored.id) { journal?.append(.updated(previous)) }
        try await store.update(stored)
    }

    func create(_ request: CreateRequest, context: RequestContext) async throws -> String {
        guard request.objectType == .symmetricKey else {
            throw OperationFailure(.operationNotSupported, "Create makes symmetric keys; use Create Key Pair or Register for \(request.objectType)")
        }
        var attributes = request.attributes
        guard let algorithm = attributes.cryptographicAlgorithm, let length = attributes.cryptographicLength else {
            throw OperationFailure(.invalidField, "Create needs a Cryptographic Algorithm and a Cryptographic Length")
        }
        let bytes = try symmetricKeyBytes(algorithm: algorithm, length: length)
        // Where the key's bits came from (2.x §4.48): the operating system's DRBG.
        if context.version >= .v1_4, attributes.randomNumberGenerator == nil {
            attributes.randomNumberGenerator = RNGParameters(rngAlgorithm: .drbg)
        }
        return try await insert(.symmetricKey(SymmetricKey(keyBlock: .raw(bytes, algorithm: algorithm, length: length))), type: .symmetricKey, attributes: &attributes, context: context)
    }

    func createKeyPair(_ request: CreateKeyPairRequest, context: RequestContext) async throws -> (privateKey: String, publicKey: String) {
        // The common attributes apply to both keys unless a key's own attributes say otherwise.
        func merged(_ specific: Attributes?) -> Attributes {
            var attributes = specific ?? Attributes()
            for attribute in request.commonAttributes ?? Attributes() where attributes.all(attribute.name).isEmpty {
                attributes.append(attribute)
            }
            return attributes
        }
        var privateAttributes = merged(request.privateKeyAttributes)
        var publicAttributes = merged(request.publicKeyAttributes)
        guard let algorithm = privateAttributes.cryptographicAlgorithm ?? publicAttributes.cryptographicAlgorithm else {
            throw OperationFailure(.invalidField, "Create Key Pair needs a Cryptographic Algorithm")
        }
        let length = privateAttributes.cryptographicLength ?? publicAttributes.cryptographicLength
        let curve = privateAttributes.cryptographicDomainParameters?.recommendedCurve ?? publicAttributes.cryptographicDomainParameters?.recommendedCurve
        let blocks = try cryptography.makeKeyPair(algorithm: algorithm, length: length, curve: curve)
        if context.version >= .v1_4 {
            if privateAttributes.randomNumberGenerator == nil { privateAttributes.randomNumberGenerator = RNGParameters(rngAlgorithm: .drbg) }
            if publicAttributes.randomNumberGenerator == nil { publicAttributes.randomNumberGenerator = RNGParameters(rngAlgorithm: .drbg) }
        }
        privateAttributes.cryptographicAlgorithm = blocks.privateKey.cryptographicAlgorithm
        privateAttributes.cryptographicLength = blocks.privateKey.cryptographicLength
        publicAttributes.cryptographicAlgorithm = blocks.publicKey.cryptographicAlgorithm
        publicAttributes.cryptographicLength = blocks.publicKey.cryptographicLength
        let privateID = try await store.makeIdentifier()
        let publicID = try await store.makeIdentifier()
        _ = try await insert(
            .privateKey(PrivateKey(keyBlock: blocks.privateKey)), type: .privateKey, attributes: &privateAttributes, context: context,
            id: privateID, links: [Link(linkType: .publicKeyLink, linkedObjectIdentifier: .text(publicID))])
        _ = try await insert(
            .publicKey(PublicKey(keyBlock: blocks.publicKey)), type: .publicKey, attributes: &publicAttributes, context: context,
            id: publicID, links: [Link(linkType: .privateKeyLink, linkedObjectIdentifier: .text(privateID))])
        return (privateID, publicID)
    }

    func register(_ request: RegisterRequest, context: RequestContext) async throws -> String {
        guard let object = request.object else { throw OperationFailure(.invalidField, "Register needs an object") }
        guard object.objectType == request.objectType else {
            throw OperationFailure(.invalidField, "the Object Type \(request.objectType) does not match the object, a \(object.objectType)")
        }
        var attributes = request.attributes
        if let block = object.keyBlock {
            if attributes.cryptographicAlgorithm == nil { attributes.cryptographicAlgorithm = block.cryptographicAlgorithm }
            if attributes.cryptographicLength == nil { attributes.cryptographicLength = block.cryptographicLength }
        }
        return try await insert(object, type: request.objectType, attributes: &attributes, context: context)
    }

    func insert(
        _ object: ManagedObject, type: ObjectType, attributes: inout Attributes, context: RequestContext, id chosen: String? = nil,
        links: [Link] = []
    ) async throws -> String {
        for attribute in attributes where Self.serverManaged.contains(attribute.name) && !Self.settableAtCreation.contains(attribute.name) {
            throw OperationFailure(.attributeReadOnly, "\(attribute.name) is set by the server")
        }
        var id = chosen ?? ""
        if chosen == nil { id = try await store.makeIdentifier() }
        if !links.isEmpty { attributes.links += links }
        // The Digest of the key material as held (KMIP 1.x §3.17, 2.x §4.13).
        if let block = object.keyBlock, let bytes = block.keyBytes, let digest = cryptography.sha256(bytes), attributes.digests.isEmpty {
            attributes.digests = [Digest(hashingAlgorithm: .sha256, digestValue: digest, keyFormatType: block.keyFormatType)]
        }
        // A client gives the Usage Limits Total and Unit; the Count is the server's and starts at
        // the Total (1.x §3.21, 2.x §4.56).
        if let limits = Self.usageLimits(attributes) {
            guard limits.total >= 0 else { throw OperationFailure(.invalidField, "Usage Limits Total must not be negative (\(limits.total))") }
            attributes.usageLimits = UsageLimits(usageLimitsTotal: limits.total, usageLimitsCount: limits.total, usageLimitsUnit: limits.unit)
        }
        let now = clock()
        attributes.uniqueIdentifier = .text(id)
        attributes.objectType = type
        attributes.initialDate = now
        attributes.lastChangeDate = now
        if context.version >= .v1_3, attributes.originalCreationDate == nil { attributes.originalCreationDate = now }
        // Fresh until first served by Get (1.x §3.34, 2.x §4.18).
        if context.version >= .v1_1, attributes.fresh == nil { attributes.fresh = true }
        if context.version.major >= 2, attributes.keyFormatType == nil, let format = object.keyBlock?.keyFormatType { attributes.keyFormatType = format }
        if let activation = attributes.activationDate, activation <= now {
            attributes.state = .active
        } else {
            attributes.state = .preActive
        }
        try await store.insert(StoredObject(id: id, owner: context.identity, objectType: type, object: object, attributes: attributes))
        journal?.append(.inserted(id))
        return id
    }

    /// Whether `attributes` match every attribute of a Locate filter: equal values, except that
    /// two instances of a date attribute are a range its value must fall in (1.x §4.9, 2.x §6.1.27).
    static func matches(_ attributes: Attributes, _ filter: Attributes) -> Bool {
        var checked: Set<AttributeName> = []
        for wanted in filter where checked.insert(wanted.name).inserted {
            let instances = filter.all(wanted.name)
            if instances.count == 2, case .dateTime(let first) = instances[0].value, case .dateTime(let second) = instances[1].value {
                let range = min(first, second)...max(first, second)
                guard attributes.all(wanted.name).contains(where: { if case .dateTime(let value) = $0.value { range.contains(value) } else { false } }) else {
                    return false
                }
                continue
            }
            for instance in instances where !attributes.contains(where: { $0.name == instance.name && $0.value == instance.value }) {
                return false
            }
        }
        return true
    }

    func locate(_ request: LocateRequest, context: RequestContext) async throws -> LocateResponse {
        if let offset = request.offsetItems, offset < 0 {
            throw OperationFailure(.invalidField, "Offset Items must not be negative (\(offset))")
        }
        if let maximum = request.maximumItems, maximum < 0 {
            throw OperationFailure(.invalidField, "Maximum Items must not be negative (\(maximum))")
        }
        let filter = request.attributes ?? Attributes()
        var matches: [String] = []
        // Destroyed objects keep their metadata but are not located unless asked for
        // (Storage Status Mask Destroyed Storage, KMIP 2.x).
        let includeDestroyed = request.storageStatusMask?.contains(.destroyedStorage) ?? false
        for stored in try await store.locateCandidates(filter) where may(context, .locate, stored) {
            if !includeDestroyed, let state = stored.attributes.state, state == .destroyed || state == .destroyedCompromised { continue }
            if Self.matches(stored.attributes, filter) { matches.append(stored.id) }
        }
        let located = Int32(matches.count)
        let offset = Int(request.offsetItems ?? 0)
        var page = Array(matches.dropFirst(offset))
        if let maximum = request.maximumItems { page = Array(page.prefix(Int(maximum))) }
        return LocateResponse(
            locatedItems: context.version >= .v1_3 && request.maximumItems != nil ? located : nil, uniqueIdentifiers: page.map { .text($0) })
    }
}

/// Seconds since the Unix epoch from the system clock.
enum SystemClock {
    static func secondsSince1970() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec)
    }
}
