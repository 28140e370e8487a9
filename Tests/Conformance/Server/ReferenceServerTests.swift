// The reference server engine behind its TLS listener, driven by the client over real TLS
// connections: every version from 1.0 to 2.1, lifecycle, ownership, batches.

import Crypto
import Foundation
import Testing
import _CryptoExtras
import KMIP
import KMIPServer

/// A server on a free loopback port with an in-memory store.
struct RunningServer {
    let listener: KMIPTLSListener
    let engine: KMIPServerEngine

    static func start(store: any KMIPObjectStore = InMemoryObjectStore(), auditLog: KMIPAuditLog? = nil) async throws -> RunningServer {
        let engine = KMIPServerEngine(store: store, auditLog: auditLog)
        var configuration = KMIPTLSListener.Configuration(
            certificateChainFile: TestCertificates.path("server.pem"), privateKeyFile: TestCertificates.path("server.key"),
            clientCAFile: TestCertificates.path("ca.pem"))
        configuration.port = 0
        return RunningServer(listener: try await KMIPTLSListener.start(engine: engine, configuration: configuration), engine: engine)
    }

    func client(_ identity: String = "camera", version: KMIPVersion? = nil) throws -> KMIPClient {
        let tls = KMIPTLSConfiguration(
            identity: .pemFiles(certificateChain: TestCertificates.path("\(identity).pem"), privateKey: TestCertificates.path("\(identity).key")),
            trustRoots: .pemFile(TestCertificates.path("ca.pem")))
        var configuration = KMIPClientConfiguration(endpoints: [.init(host: "127.0.0.1", port: listener.port)], tls: tls)
        if let version { configuration.versionPolicy = .fixed(version) }
        configuration.requestTimeout = .seconds(10)
        return try KMIPClient(configuration: configuration)
    }
}

@Suite("Reference server over TLS", .serialized)
struct ReferenceServerTests {
    @Test("negotiation arrives at KMIP 2.1")
    func negotiation() async throws {
        let server = try await RunningServer.start()
        let client = try server.client()
        #expect(try await client.protocolVersion() == .v2_1)
        #expect(try await client.discoverVersions() == KMIPServerEngine.supportedVersions)
        await client.shutdown()
        await server.listener.shutdown()
    }

    @Test("key lifecycle with its dates; Destroy keeps the metadata", arguments: KMIPVersion.specified)
    func lifecycle(_ version: KMIPVersion) async throws {
        let server = try await RunningServer.start()
        let client = try server.client(version: version)
        let id = try await client.createSymmetricKey(algorithm: .aes, length: 256, name: "clip-key", objectGroup: "camera-1")
        let key = try #require(try await client.get(id).object.keyBlock?.keyBytes)
        #expect(key.count == 32)
        var attributes = try await client.getAttributes(id)
        #expect(attributes.state == .preActive)
        #expect(attributes.initialDate != nil)
        #expect(attributes.objectGroups == ["camera-1"])

        var filter = Attributes()
        filter.names = [Name(nameValue: "clip-key", nameType: .uninterpretedTextString)]
        #expect(try await client.locate(filter) == [id])

        try await client.activate(id)
        attributes = try await client.getAttributes(id, [.state, .activationDate])
        #expect(attributes.state == .active && attributes.activationDate != nil)
        let refused = await #expect(throws: KMIPOperationError.self) { try await client.destroy(id) }
        #expect(refused?.resultReason == .permissionDenied)
        try await client.revoke(id, reason: .cessationOfOperation)
        #expect(try await client.getAttributes(id, [.state]).state == .deactivated)
        try await client.destroy(id)
        attributes = try await client.getAttributes(id, [.state, .destroyDate])
        #expect(attributes.state == .destroyed && attributes.destroyDate != nil)
        let gone = await #expect(throws: KMIPOperationError.self) { try await client.get(id) }
        #expect(gone?.resultReason == .objectDestroyed)
        await client.shutdown()
        await server.listener.shutdown()
    }

    @Test("Create Key Pair: RSA and EC pairs that sign and verify, linked to each other", arguments: [KMIPVersion.v1_0, .v1_4, .v2_1])
    func keyPairs(_ version: KMIPVersion) async throws {
        let server = try await RunningServer.start()
        let client = try server.client(version: version)
        let message = Array("clip manifest".utf8)

        let rsa = try await client.createKeyPair(algorithm: .rsa, length: 2048)
        let rsaPrivate = try #require(try await client.get(rsa.privateKey).object.keyBlock)
        let rsaPublic = try #require(try await client.get(rsa.publicKey).object.keyBlock)
        #expect(rsaPrivate.keyFormatType == .pkcs1 && rsaPublic.keyFormatType == .pkcs1)
        let signer = try _RSA.Signing.PrivateKey(derRepresentation: try #require(rsaPrivate.keyBytes))
        let verifier = try _RSA.Signing.PublicKey(derRepresentation: try #require(rsaPublic.keyBytes))
        #expect(signer.keySizeInBits == 2048)
        #expect(verifier.isValidSignature(try signer.signature(for: message), for: message))

        let ec = try await client.createKeyPair(algorithm: .ecdsa, length: 256)
        let ecPrivate = try #require(try await client.get(ec.privateKey).object.keyBlock)
        let ecPublic = try #require(try await client.get(ec.publicKey).object.keyBlock)
        #expect(ecPrivate.keyFormatType == .pkcs8 && ecPublic.keyFormatType == .x509)
        let ecSigner = try P256.Signing.PrivateKey(derRepresentation: try #require(ecPrivate.keyBytes))
        let ecVerifier = try P256.Signing.PublicKey(derRepresentation: try #require(ecPublic.keyBytes))
        #expect(ecVerifier.isValidSignature(try ecSigner.signature(for: message), for: message))

        let privateAttributes = try await client.getAttributes(rsa.privateKey)
        let publicAttributes = try await client.getAttributes(rsa.publicKey)
        #expect(privateAttributes.links == [Link(linkType: .publicKeyLink, linkedObjectIdentifier: rsa.publicKey)])
        #expect(publicAttributes.links == [Link(linkType: .privateKeyLink, linkedObjectIdentifier: rsa.privateKey)])
        #expect(privateAttributes.objectType == .privateKey && publicAttributes.objectType == .publicKey)
        #expect(privateAttributes.cryptographicLength == 2048 && privateAttributes.state == .preActive)

        let refused = await #expect(throws: KMIPOperationError.self) { try await client.createKeyPair(algorithm: .rsa, length: 1000) }
        #expect(refused?.resultReason == .cryptographicFailure)
        await client.shutdown()
        await server.listener.shutdown()
    }

    @Test("Sign and Signature Verify with RSA (PKCS#1 v1.5 and PSS) and ECDSA key pairs; a changed message is invalid")
    func signAndVerify() async throws {
        let server = try await RunningServer.start()
        let client = try server.client(version: .v2_1)
        let message = Array("sealed clip manifest".utf8)
        let schemes: [(CryptographicAlgorithm, Int32, CryptographicParameters?)] = [
            (.rsa, 2048, CryptographicParameters(digitalSignatureAlgorithm: .sha256WithRSAEncryption)),
            (.rsa, 2048, CryptographicParameters(paddingMethod: .pss, hashingAlgorithm: .sha256)),
            (.ecdsa, 256, nil),
            (.ecdsa, 384, nil),
        ]
        for (algorithm, length, parameters) in schemes {
            let pair = try await client.createKeyPair(algorithm: algorithm, length: length)
            try await client.activate(pair.privateKey)
            try await client.activate(pair.publicKey)
            let signature = try #require(try await client.perform(
                SignRequest(uniqueIdentifier: pair.privateKey, cryptographicParameters: parameters, data: message)).signatureData)
            let valid = try await client.perform(SignatureVerifyRequest(
                uniqueIdentifier: pair.publicKey, cryptographicParameters: parameters, data: message, signatureData: signature))
            #expect(valid.validityIndicator == .valid, "\(algorithm) \(length)")
            let changed = try await client.perform(SignatureVerifyRequest(
                uniqueIdentifier: pair.publicKey, cryptographicParameters: parameters, data: message + [0], signatureData: signature))
            #expect(changed.validityIndicator == .invalid, "\(algorithm) \(length)")
        }
        await client.shutdown()
        await server.listener.shutdown()
    }

    @Test("an object belongs to its creator: another identity is refused it and does not find it")
    func ownership() async throws {
        let server = try await RunningServer.start()
        let camera = try server.client("camera")
        let viewer = try server.client("viewer")
        let id = try await camera.createSymmetricKey(algorithm: .aes, length: 128, name: "private")
        let refused = await #expect(throws: KMIPOperationError.self) { try await viewer.get(id) }
        #expect(refused?.resultReason == .permissionDenied)
        var filter = Attributes()
        filter.names = [Name(nameValue: "private", nameType: .uninterpretedTextString)]
        #expect(try await viewer.locate(filter).isEmpty)
        #expect(try await camera.locate(filter) == [id])
        await camera.shutdown()
        await viewer.shutdown()
        await server.listener.shutdown()
    }

    @Test("batches: Create, Activate, Get with the ID Placeholder; Stop and Continue", arguments: [KMIPVersion.v1_2, .v2_1])
    func batches(_ version: KMIPVersion) async throws {
        let server = try await RunningServer.start()
        let client = try server.client(version: version)
        var batch = KMIPBatch()
        batch.add(CreateRequest(objectType: .symmetricKey, attributes: KMIPClient.symmetricKeyAttributes(algorithm: .aes, length: 128)))
        batch.add(ActivateRequest())
        batch.add(GetRequest())
        let results = try await client.perform(batch)
        guard case .success(.create(let created)) = results[0], case .success = results[1], case .success(.get(let got)) = results[2] else {
            Issue.record("\(results)"); return
        }
        #expect(got.uniqueIdentifier == created.uniqueIdentifier)
        #expect(try await client.getAttributes(created.uniqueIdentifier, [.state]).state == .active)

        for option in [BatchErrorContinuationOption.stop, .continue] {
            var failing = KMIPBatch(errorContinuation: option)
            failing.add(GetRequest(uniqueIdentifier: "no-such-object"))
            failing.add(QueryRequest(queryFunctions: [.queryServerInformation]))
            let outcome = try await client.perform(failing)
            guard case .failure(let failure) = outcome[0] else { Issue.record("the Get succeeded"); continue }
            #expect(failure.resultReason == (version.major >= 2 ? .objectNotFound : .itemNotFound))
            switch (option, outcome[1]) {
            case (.continue, .success), (.stop, .failure): break
            default: Issue.record("\(option): \(outcome[1])")
            }
        }
        await client.shutdown()
        await server.listener.shutdown()
    }

    @Test("Undo: a failing item rolls back the earlier items' changes, which are answered as undone", arguments: [KMIPVersion.v1_4, .v2_1])
    func undo(_ version: KMIPVersion) async throws {
        let server = try await RunningServer.start()
        let client = try server.client(version: version)
        let kept = try await client.createSymmetricKey(algorithm: .aes, length: 128, name: "kept")

        var batch = KMIPBatch(errorContinuation: .undo)
        batch.add(CreateRequest(objectType: .symmetricKey, attributes: KMIPClient.symmetricKeyAttributes(algorithm: .aes, length: 128, name: "undone")))
        batch.add(DestroyRequest(uniqueIdentifier: kept))
        batch.add(GetRequest(uniqueIdentifier: "no-such-object"))
        let results = try await client.perform(batch)
        #expect(results.count == 3)
        for result in results.prefix(2) {
            guard case .failure(let undone) = result else { Issue.record("\(result)"); continue }
            #expect(undone.resultStatus == .operationUndone)
        }
        guard case .failure(let failed) = results[2] else { Issue.record("\(results[2])"); return }
        #expect(failed.resultReason == (version.major >= 2 ? .objectNotFound : .itemNotFound))

        var filter = Attributes()
        filter.names = [Name(nameValue: "undone", nameType: .uninterpretedTextString)]
        #expect(try await client.locate(filter).isEmpty, "the undone Create left its object")
        #expect(try await client.get(kept).object.keyBlock?.keyBytes?.count == 16, "the undone Destroy took the key")
        #expect(try await client.getAttributes(kept, [.state]).state == .preActive)
        await client.shutdown()
        await server.listener.shutdown()
    }

    @Test("Locate with two dates of one attribute finds the objects whose date falls between them")
    func locateDateRange() async throws {
        let server = try await RunningServer.start()
        let client = try server.client(version: .v2_1)
        var early = Attributes()
        early.deactivationDate = KMIPDateTime(secondsSince1970: 946_684_800)  // 2000-01-01
        let inRange = try await client.createSymmetricKey(algorithm: .aes, length: 128, attributes: early)
        var late = Attributes()
        late.deactivationDate = KMIPDateTime(secondsSince1970: 1_600_000_000)
        _ = try await client.createSymmetricKey(algorithm: .aes, length: 128, attributes: late)
        var filter = Attributes()
        filter.append(try Attribute(name: .deactivationDate, KMIPDateTime(secondsSince1970: 900_000_000)))
        filter.append(try Attribute(name: .deactivationDate, KMIPDateTime(secondsSince1970: 1_000_000_000)))
        #expect(try await client.locate(filter) == [inRange])
        await client.shutdown()
        await server.listener.shutdown()
    }

    @Test("register, attributes (1.x and 2.x forms), unsupported operations answered as such", arguments: [KMIPVersion.v1_4, .v2_0])
    func registerAndAttributes(_ version: KMIPVersion) async throws {
        let server = try await RunningServer.start()
        let client = try server.client(version: version)
        let secret = SecretData(secretDataType: .password, keyBlock: KeyBlock(keyFormatType: .opaque, keyValue: .plain(.bytes(Array("ftp-password".utf8)))))
        let id = try await client.register(.secretData(secret))
        guard case .secretData(let back) = try await client.get(id).object else { Issue.record("not secret data"); return }
        #expect(back.keyBlock.keyBytes == Array("ftp-password".utf8))

        _ = try await client.perform(AddAttributeRequest(uniqueIdentifier: id, attribute: try Attribute(name: "x-Site", "north")))
        #expect(try await client.getAttributes(id, ["x-Site"]).all("x-Site").first?.value == .textString("north"))
        _ = try await client.perform(ModifyAttributeRequest(uniqueIdentifier: id, attribute: try Attribute(name: "x-Site", "south")))
        #expect(try await client.getAttributes(id, ["x-Site"]).all("x-Site").first?.value == .textString("south"))
        _ = try await client.perform(DeleteAttributeRequest(uniqueIdentifier: id, attributeName: "x-Site"))
        #expect(try await client.getAttributes(id, ["x-Site"]).isEmpty)
        let readOnly = await #expect(throws: KMIPOperationError.self) {
            _ = try await client.perform(AddAttributeRequest(uniqueIdentifier: id, attribute: try Attribute(name: .state, State.active)))
        }
        #expect(readOnly?.resultReason == .attributeReadOnly)
        #expect(try await client.perform(RNGRetrieveRequest(dataLength: 16)).data.count == 16)
        let unsupported = await #expect(throws: KMIPOperationError.self) {
            _ = try await client.perform(ObtainLeaseRequest(uniqueIdentifier: id))
        }
        #expect(unsupported?.resultReason == .operationNotSupported)
        await client.shutdown()
        await server.listener.shutdown()
    }

    @Test("what fuzzing found stays fixed: negative paging, an operation the version lacks, an unknown version with a correlation value")
    func fuzzRegressions() async throws {
        let engine = KMIPServerEngine(store: InMemoryObjectStore())
        // Locate with a negative Offset Items trapped; now it is Invalid Field.
        let locate = try await engine.handle(RequestMessage(protocolVersion: .v1_4, payload: LocateRequest(offsetItems: -1)), identity: "x")
        #expect(locate.batchItems.first?.resultReason == .invalidField)
        // Discover Versions in a 1.0 request was answered with a payload 1.0 cannot carry.
        let discover = try await engine.handle(RequestMessage(protocolVersion: .v1_0, payload: QueryRequest(queryFunctions: [.queryOperations])), identity: "x")
        #expect(try discover.ttlvBytes().count > 0)
        let old = RequestMessage(
            header: RequestHeader(protocolVersion: .v1_0), batchItems: [RequestBatchItem(operation: .discoverVersions, payload: .raw(KMIPItem(.requestPayload, structure: [])))])
        let answer = try await engine.handle(old, identity: "x")
        #expect(answer.batchItems.first?.resultReason == .operationNotSupported)
        #expect(try answer.ttlvBytes().count > 0)
        // An unsupported version with a (1.4+) Client Correlation Value could not be answered.
        let future = RequestMessage(header: RequestHeader(protocolVersion: KMIPVersion(3, 0), clientCorrelationValue: "c"), batchItems: [RequestBatchItem(QueryRequest())])
        let refused = await engine.handle(future, identity: "x")
        #expect(refused.batchItems.first?.resultReason == .invalidMessage)
        #expect(try refused.ttlvBytes().count > 0)
    }
}
