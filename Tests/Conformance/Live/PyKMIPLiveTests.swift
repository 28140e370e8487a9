// The client against a live PyKMIP 0.11.0 server (scripts/pykmip.sh; scripts/test.sh starts it
// and exports PYKMIP_PORT and the certificate paths). Without that server these tests are
// reported as skipped, by name, in the summary.
//
// PyKMIP deviations the tests live with (see its documentation in the project notes):
// - it refuses KMIP 2.1 with an Invalid Message answer in a KMIP 1.0 header: negotiation falls
//   back to 2.0;
// - Create needs a Cryptographic Usage Mask; Destroy deletes the object (a later Get is Item Not
//   Found); Encrypt, Decrypt, Sign, Signature Verify and MAC need KMIP 1.2 or later;
// - a KMIP 2.0 Get Attributes that matches nothing is never answered (the client's request
//   timeout ends it, tested below);
// - Add Attribute, Re-key, Check and most others are Operation Not Supported.

import Foundation
import Testing
import KMIP

enum PyKMIP {
    static let environment = ProcessInfo.processInfo.environment
    static let isRunning = environment["PYKMIP_PORT"] != nil

    static func path(_ key: String) -> String { environment[key] ?? "" }
    static var certs: String { path("PYKMIP_CERTS") }

    static func configuration(version: KMIPClientConfiguration.VersionPolicy = .negotiate) -> KMIPClientConfiguration {
        let tls = KMIPTLSConfiguration(
            identity: .pemFiles(certificateChain: path("PYKMIP_CLIENT_CERT"), privateKey: path("PYKMIP_CLIENT_KEY")),
            trustRoots: .pemFile(path("PYKMIP_CA")))
        var configuration = KMIPClientConfiguration(
            endpoints: [.init(host: "127.0.0.1", port: Int(environment["PYKMIP_PORT"] ?? "") ?? 5696)], tls: tls)
        configuration.versionPolicy = version
        configuration.requestTimeout = .seconds(10)
        return configuration
    }

    static func client(_ version: KMIPVersion? = nil) throws -> KMIPClient {
        try KMIPClient(configuration: configuration(version: version.map { .fixed($0) } ?? .negotiate))
    }

    static let versions: [KMIPVersion] = [.v1_0, .v1_1, .v1_2, .v1_3, .v1_4, .v2_0]
}

@Suite("Live: the client against PyKMIP 0.11.0", .enabled(if: PyKMIP.isRunning, "needs a PyKMIP server (scripts/pykmip.sh; scripts/test.sh starts one)"), .serialized)
struct PyKMIPLiveTests {
    @Test("negotiation arrives at KMIP 2.0 (PyKMIP refuses 2.1)")
    func negotiation() async throws {
        let client = try PyKMIP.client()
        #expect(try await client.protocolVersion() == .v2_0)
        let versions = try await client.perform(DiscoverVersionsRequest()).protocolVersions
        #expect(versions.first == .v2_0 && versions.contains(.v1_0))
        await client.shutdown()
    }

    @Test("key lifecycle: create, get, attributes, locate, activate, revoke, destroy", arguments: PyKMIP.versions)
    func lifecycle(_ version: KMIPVersion) async throws {
        let client = try PyKMIP.client(version)
        defer { Task { await client.shutdown() } }
        let name = "live-\(version)-\(UInt32.random(in: 0...UInt32.max))"
        for length: Int32 in [128, 256] {
            let id = try await client.createSymmetricKey(algorithm: .aes, length: length, name: "\(name)-\(length)")
            let get = try await client.get(id)
            #expect(get.objectType == .symmetricKey)
            #expect(get.object.keyBlock?.keyBytes?.count == Int(length / 8))
            #expect(get.object.keyBlock?.cryptographicAlgorithm == .aes)

            let attributes = try await client.getAttributes(id, [.cryptographicLength, .state, .name])
            #expect(attributes.cryptographicLength == length)
            #expect(attributes.state == .preActive)
            #expect(attributes.names.first?.nameValue == "\(name)-\(length)")
            let list = try await client.getAttributeList(id)
            #expect(list.contains(.cryptographicAlgorithm) && list.contains(.state))

            var filter = Attributes()
            filter.names = [Name(nameValue: "\(name)-\(length)", nameType: .uninterpretedTextString)]
            #expect(try await client.locate(filter) == [id])

            // Destroy is refused while the key is active; revoked, it goes.
            try await client.activate(id)
            #expect(try await client.getAttributes(id, [.state]).state == .active)
            let refused = await #expect(throws: KMIPOperationError.self) { try await client.destroy(id) }
            #expect(refused?.resultStatus == .operationFailed)
            try await client.revoke(id, reason: .cessationOfOperation)
            #expect(try await client.getAttributes(id, [.state]).state == .deactivated)
            try await client.destroy(id)
            let gone = await #expect(throws: KMIPOperationError.self) { try await client.get(id) }
            #expect(gone?.resultReason == .itemNotFound)
        }
    }

    @Test("locate by type and length, with paging (Maximum Items, Offset Items from 1.3)", arguments: [KMIPVersion.v1_3, .v1_4, .v2_0])
    func locatePaging(_ version: KMIPVersion) async throws {
        let client = try PyKMIP.client(version)
        defer { Task { await client.shutdown() } }
        let group = "page-\(version)-\(UInt32.random(in: 0...UInt32.max))"
        var created: [UniqueIdentifier] = []
        for _ in 0..<3 { created.append(try await client.createSymmetricKey(algorithm: .aes, length: 192, objectGroup: group)) }
        var filter = Attributes()
        filter.objectType = .symmetricKey
        filter.cryptographicLength = 192
        filter.objectGroups = [group]
        let all = try await client.locate(filter)
        #expect(Set(all) == Set(created))
        let first = try await client.locate(filter, maximumItems: 2)
        let rest = try await client.locate(filter, maximumItems: 2, offsetItems: 2)
        #expect(first.count == 2 && rest.count == 1)
        #expect(Set(first + rest) == Set(created))
    }

    @Test("Discover Versions in every version that has it (1.1+)", arguments: [KMIPVersion.v1_1, .v1_2, .v1_3, .v1_4, .v2_0])
    func discoverVersions(_ version: KMIPVersion) async throws {
        let client = try PyKMIP.client(version)
        defer { Task { await client.shutdown() } }
        #expect(try await client.discoverVersions().first == .v2_0)
    }

    @Test("Delete Attribute in its 1.x form (Attribute Name)", arguments: [KMIPVersion.v1_0, .v1_4])
    func deleteAttributeVersion1(_ version: KMIPVersion) async throws {
        let client = try PyKMIP.client(version)
        defer { Task { await client.shutdown() } }
        let id = try await client.createSymmetricKey(algorithm: .aes, length: 128, name: "to-forget")
        _ = try await client.perform(DeleteAttributeRequest(uniqueIdentifier: id, attributeName: .name, attributeIndex: 0))
        #expect(try await client.getAttributes(id, [.name]).names.isEmpty)
    }

    @Test("revoke for key compromise makes the key Compromised", arguments: [KMIPVersion.v1_2, .v2_0])
    func compromise(_ version: KMIPVersion) async throws {
        let client = try PyKMIP.client(version)
        defer { Task { await client.shutdown() } }
        let id = try await client.createSymmetricKey(algorithm: .aes, length: 128)
        try await client.activate(id)
        try await client.revoke(id, reason: .keyCompromise, compromiseDate: KMIPDateTime(secondsSince1970: Int64(Date().timeIntervalSince1970) - 60))
        #expect(try await client.getAttributes(id, [.state]).state == .compromised)
    }

    @Test("register a symmetric key, secret data and an opaque object", arguments: PyKMIP.versions)
    func register(_ version: KMIPVersion) async throws {
        let client = try PyKMIP.client(version)
        defer { Task { await client.shutdown() } }
        let key = Array(repeating: UInt8(0x42), count: 32)
        var attributes = Attributes()
        attributes.cryptographicUsageMask = [.encrypt, .decrypt]
        let keyID = try await client.register(.symmetricKey(SymmetricKey(keyBlock: .raw(key, algorithm: .aes))), attributes: attributes)
        #expect(try await client.get(keyID).object.keyBlock?.keyBytes == key)

        var secretAttributes = Attributes()
        secretAttributes.cryptographicUsageMask = [.deriveKey]
        let secret = SecretData(secretDataType: .password, keyBlock: KeyBlock(keyFormatType: .opaque, keyValue: .plain(.bytes(Array("hunter2".utf8)))))
        let secretID = try await client.register(.secretData(secret), attributes: secretAttributes)
        #expect(try await client.get(secretID).objectType == .secretData)

        // PyKMIP knows one Opaque Data Type, the extension value 0x80000000 ("None").
        let opaque = OpaqueObject(opaqueDataType: RawEnumeration(rawValue: 0x8000_0000), opaqueDataValue: Array("clip metadata".utf8))
        let opaqueID = try await client.register(.opaqueObject(opaque), attributes: Attributes())
        guard case .opaqueObject(let back) = try await client.get(opaqueID).object else {
            Issue.record("not an opaque object"); return
        }
        #expect(back.opaqueDataValue == Array("clip metadata".utf8))
    }

    @Test("create an RSA key pair", arguments: PyKMIP.versions)
    func keyPair(_ version: KMIPVersion) async throws {
        let client = try PyKMIP.client(version)
        defer { Task { await client.shutdown() } }
        let pair = try await client.createKeyPair(algorithm: .rsa, length: 2048)
        #expect(try await client.get(pair.publicKey).objectType == .publicKey)
        #expect(try await client.get(pair.privateKey).objectType == .privateKey)
    }

    @Test("query operations and server information", arguments: PyKMIP.versions)
    func query(_ version: KMIPVersion) async throws {
        let client = try PyKMIP.client(version)
        defer { Task { await client.shutdown() } }
        let query = try await client.query([.queryOperations, .queryObjects, .queryServerInformation])
        #expect(query.operations.contains(.create))
        #expect(query.vendorIdentification?.hasPrefix("PyKMIP") == true)
    }

    @Test("encrypt/decrypt, sign/verify and MAC from KMIP 1.2", arguments: [KMIPVersion.v1_2, .v1_3, .v1_4, .v2_0])
    func cryptography(_ version: KMIPVersion) async throws {
        let client = try PyKMIP.client(version)
        defer { Task { await client.shutdown() } }
        let key = try await client.createSymmetricKey(algorithm: .aes, length: 256)
        try await client.activate(key)
        let parameters = CryptographicParameters(blockCipherMode: .cbc, paddingMethod: .pkcs5, cryptographicAlgorithm: .aes, randomIV: true)
        let plaintext = Array("a clip of video".utf8)
        let encrypted = try await client.perform(EncryptRequest(uniqueIdentifier: key, cryptographicParameters: parameters, data: plaintext))
        let ciphertext = try #require(encrypted.data)
        #expect(ciphertext != plaintext)
        let decrypted = try await client.perform(DecryptRequest(
            uniqueIdentifier: key, cryptographicParameters: parameters, data: ciphertext, ivCounterNonce: encrypted.ivCounterNonce))
        #expect(decrypted.data == plaintext)

        var signing = Attributes()
        signing.cryptographicUsageMask = [.sign]
        var verifying = Attributes()
        verifying.cryptographicUsageMask = [.verify]
        let pair = try await client.createKeyPair(algorithm: .rsa, length: 2048, privateKeyAttributes: signing, publicKeyAttributes: verifying)
        try await client.activate(pair.privateKey)
        try await client.activate(pair.publicKey)
        // PyKMIP maps only some Digital Signature Algorithms; algorithm + hash + padding always work.
        let signature = CryptographicParameters(paddingMethod: .pss, hashingAlgorithm: .sha256, cryptographicAlgorithm: .rsa)
        let signed = try await client.perform(SignRequest(uniqueIdentifier: pair.privateKey, cryptographicParameters: signature, data: plaintext))
        let verified = try await client.perform(SignatureVerifyRequest(
            uniqueIdentifier: pair.publicKey, cryptographicParameters: signature, data: plaintext, signatureData: signed.signatureData))
        #expect(verified.validityIndicator == ValidityIndicator.valid)

        var macAttributes = Attributes()
        macAttributes.cryptographicUsageMask = [.macGenerate]
        let macKey = try await client.register(
            .symmetricKey(SymmetricKey(keyBlock: .raw(Array(repeating: 7, count: 32), algorithm: .hmacSHA256))), attributes: macAttributes)
        try await client.activate(macKey)
        let mac = try await client.perform(MACRequest(
            uniqueIdentifier: macKey, cryptographicParameters: CryptographicParameters(cryptographicAlgorithm: .hmacSHA256), data: plaintext))
        #expect(mac.macData?.count == 32)
    }

    @Test("Set Attribute (2.0) and Delete Attribute")
    func setAndDeleteAttribute() async throws {
        let client = try PyKMIP.client(.v2_0)
        defer { Task { await client.shutdown() } }
        let id = try await client.createSymmetricKey(algorithm: .aes, length: 128, name: "to-rename")
        _ = try await client.perform(SetAttributeRequest(uniqueIdentifier: id, attribute: try Attribute(name: .sensitive, true)))
        #expect(try await client.getAttributes(id, [.sensitive]).sensitive == true)
        // PyKMIP reads a 2.0 Attribute Reference only in its structure form (Vendor Identification
        // "" and the attribute's name), not as the Enumeration of the tag the specification gives.
        _ = try await client.perform(DeleteAttributeRequest(uniqueIdentifier: id, attributeName: AttributeName(vendorIdentification: "", name: "Name")))
        #expect(try await client.getAttributes(id, [.name, .state]).names.isEmpty)
    }

    @Test("a batch of Create, Activate and Get with the ID Placeholder", arguments: [KMIPVersion.v1_2, .v2_0])
    func batch(_ version: KMIPVersion) async throws {
        let client = try PyKMIP.client(version)
        defer { Task { await client.shutdown() } }
        var batch = KMIPBatch()
        batch.add(CreateRequest(objectType: .symmetricKey, attributes: KMIPClient.symmetricKeyAttributes(algorithm: .aes, length: 128)))
        batch.add(GetRequest())
        batch.add(DestroyRequest())
        let results = try await client.perform(batch)
        #expect(results.count == 3)
        guard case .success(.create(let created)) = results[0], case .success(.get(let got)) = results[1] else {
            Issue.record("unexpected results \(results)"); return
        }
        #expect(got.uniqueIdentifier == created.uniqueIdentifier)
        guard case .success = results[2] else { Issue.record("destroy failed: \(results[2])"); return }
        await #expect(throws: KMIPOperationError.self) { try await client.get(created.uniqueIdentifier) }
    }

    @Test("Continue carries on after a failing item; Stop does not")
    func continuation() async throws {
        let client = try PyKMIP.client(.v1_4)
        defer { Task { await client.shutdown() } }
        for option in [BatchErrorContinuationOption.continue, .stop] {
            var batch = KMIPBatch(errorContinuation: option)
            batch.add(GetRequest(uniqueIdentifier: "999999"))
            batch.add(QueryRequest(queryFunctions: [.queryServerInformation]))
            let results = try await client.perform(batch)
            guard case .failure(let failure) = results[0] else { Issue.record("the Get of a missing key succeeded"); continue }
            #expect(failure.resultReason == .itemNotFound)
            if option == .continue {
                guard case .success = results[1] else { Issue.record("Continue did not run the second item"); continue }
            } else {
                guard case .failure = results[1] else { Issue.record("Stop ran the second item"); continue }
            }
        }
    }

    @Test("a Username and Password credential in the header is accepted (PyKMIP identifies by certificate)", arguments: [KMIPVersion.v1_2, .v2_0])
    func credential(_ version: KMIPVersion) async throws {
        var configuration = PyKMIP.configuration(version: .fixed(version))
        configuration.credential = .username("camera", password: "not-logged")
        let client = try KMIPClient(configuration: configuration)
        defer { Task { await client.shutdown() } }
        #expect(try await client.query([.queryServerInformation]).vendorIdentification != nil)
    }

    @Test("Maximum Response Size is honoured and Undo is refused, as typed Result Reasons")
    func batchLimits() async throws {
        let client = try PyKMIP.client(.v1_4)
        defer { Task { await client.shutdown() } }
        var small = KMIPBatch()
        small.maximumResponseSize = 16
        small.add(QueryRequest(queryFunctions: [.queryOperations]))
        let tooLarge = try await client.perform(small)
        guard case .failure(let failure) = tooLarge[0] else { Issue.record("a 16-byte limit was not enforced"); return }
        #expect(failure.resultReason == .responseTooLarge)

        var undo = KMIPBatch(errorContinuation: .undo)
        undo.add(QueryRequest(queryFunctions: [.queryServerInformation]))
        let undone = try await client.perform(undo)
        guard case .failure(let refused) = undone[0] else { Issue.record("PyKMIP accepted Undo"); return }
        #expect(refused.resultStatus == .operationFailed)
    }

    @Test("a 2.0 Get Attributes that matches nothing is never answered by PyKMIP: the request timeout ends it")
    func unansweredRequest() async throws {
        var configuration = PyKMIP.configuration(version: .fixed(.v2_0))
        configuration.requestTimeout = .seconds(2)
        configuration.maximumRetries = 0
        let client = try KMIPClient(configuration: configuration)
        defer { Task { await client.shutdown() } }
        let id = try await client.createSymmetricKey(algorithm: .aes, length: 128)
        let error = await #expect(throws: KMIPError.self) { try await client.getAttributes(id, [.contactInformation]) }
        #expect(error?.code == .responseLost)
        #expect(error?.serverMayHaveExecuted == true)
        // The client goes on working on a new connection.
        #expect(try await client.get(id).objectType == .symmetricKey)
    }

    @Test("a server whose certificate names another host is refused (openssl s_server with a certificate for other.example)")
    func nameMismatch() async throws {
        let certs = PyKMIP.certs
        let port = Int.random(in: 40000...60000)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        server.arguments = ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", "\(certs)/other.pem", "-key", "\(certs)/other.key",
                            "-CAfile", "\(certs)/ca.pem", "-Verify", "1", "-quiet", "-naccept", "1"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate() }
        var configuration = PyKMIP.configuration(version: .fixed(.v1_4))
        configuration.endpoints = [.init(host: "localhost", port: port)]
        configuration.connectTimeout = .seconds(5)
        let client = try KMIPClient(configuration: configuration)
        // s_server takes a moment to listen; a refused connection does not use up its one accept.
        var error: KMIPError?
        _ = await eventually {
            do {
                _ = try await client.query([.queryServerInformation])
                Issue.record("a server certificate for other.example was accepted for localhost")
                return true
            } catch let failure as KMIPError {
                error = failure
                return failure.code != .connectionFailed
            } catch {
                Issue.record("unexpected error \(error)")
                return true
            }
        }
        #expect(error?.code == .tlsFailure)
        #expect(error?.reason.contains("localhost") == true, "\(String(describing: error))")
        await client.shutdown()
    }

    @Test("public-key pinning: the server's own key passes, any other key is refused before anything is sent")
    func pinning() async throws {
        var pinned = PyKMIP.configuration(version: .fixed(.v1_4))
        pinned.tls.pinnedCertificateFiles = ["\(PyKMIP.certs)/server.pem"]
        let good = try KMIPClient(configuration: pinned)
        #expect(try await good.query([.queryServerInformation]).vendorIdentification != nil)
        await good.shutdown()
        pinned.tls.pinnedCertificateFiles = ["\(PyKMIP.certs)/other.pem"]
        let bad = try KMIPClient(configuration: pinned)
        let error = await #expect(throws: KMIPError.self) { _ = try await bad.query([.queryServerInformation]) }
        #expect(error?.code == .tlsFailure)
        #expect(error?.reason.contains("pinned") == true)
        await bad.shutdown()
    }

    @Test("TLS failures are clear and fast: wrong CA, no client certificate, expired certificate")
    func tlsFailures() async throws {
        func expectTLSFailure(_ configure: (inout KMIPClientConfiguration) -> Void, _ what: String) async throws {
            var configuration = PyKMIP.configuration(version: .fixed(.v1_4))
            configuration.connectTimeout = .seconds(5)
            configure(&configuration)
            let client = try KMIPClient(configuration: configuration)
            let started = ContinuousClock.now
            let error = await #expect(throws: KMIPError.self, "\(what)") { _ = try await client.query([.queryServerInformation]) }
            #expect(error?.code == .tlsFailure || error?.code == .responseLost || error?.code == .connectionClosed, "\(what): \(String(describing: error))")
            #expect(ContinuousClock.now - started < .seconds(8), "\(what) took too long")
            await client.shutdown()
        }
        let certs = PyKMIP.certs
        try await expectTLSFailure({ $0.tls.trustRoots = .pemFile("\(certs)/rogue-ca.pem") }, "untrusted server")
        try await expectTLSFailure({ $0.tls.identity = .none }, "no client certificate")
        try await expectTLSFailure({ $0.tls.identity = .pemFiles(certificateChain: "\(certs)/expired.pem", privateKey: "\(certs)/expired.key") }, "expired client certificate")
        // The wrong CA is refused during the handshake, before anything is sent.
        var configuration = PyKMIP.configuration(version: .fixed(.v1_4))
        configuration.tls.trustRoots = .pemFile("\(certs)/rogue-ca.pem")
        let client = try KMIPClient(configuration: configuration)
        let error = await #expect(throws: KMIPError.self) { _ = try await client.query([.queryServerInformation]) }
        #expect(error?.code == .tlsFailure)
        #expect(error?.serverMayHaveExecuted == false)
        await client.shutdown()
    }
}
