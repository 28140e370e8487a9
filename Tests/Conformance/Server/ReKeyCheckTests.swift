// Re-key, Re-key Key Pair, Check, Adjust Attribute and Usage Limits on the reference server,
// driven by the client over real TLS connections.

import Foundation
import KMIP
import KMIPServer
import KMIPVectorCheck
import Testing

@Suite("Reference server: Re-key, Check, Adjust Attribute, Usage Limits", .serialized)
struct ReKeyCheckTests {
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    static func name(_ text: String) -> Name { Name(nameValue: text, nameType: .uninterpretedTextString) }

    @Test("Re-key: a new key with the old one's attributes, names moved, links both ways, dates shifted by the Offset", arguments: [KMIPVersion.v1_0, .v1_4, .v2_1])
    func reKey(_ version: KMIPVersion) async throws {
        let server = try await RunningServer.start()
        let client = try server.client(version: version)
        let activation = Self.now() - 3600
        var extra = Attributes()
        extra.activationDate = KMIPDateTime(secondsSince1970: activation)
        extra.deactivationDate = KMIPDateTime(secondsSince1970: activation + 86_400)
        extra.append(try Attribute(name: "x-camera", "camera-7"))
        let old = try await client.createSymmetricKey(algorithm: .aes, length: 256, name: "clip-key", objectGroup: "camera", attributes: extra)
        let oldKey = try #require(try await client.get(old).object.keyBlock?.keyBytes)

        var requested = Attributes()
        requested.names = [Self.name("clip-key-2")]
        let before = Self.now()
        let new = try await client.perform(ReKeyRequest(uniqueIdentifier: old, offset: KMIPInterval(seconds: 7200), attributes: requested)).uniqueIdentifier
        let after = Self.now()
        #expect(new != old)
        let newKey = try #require(try await client.get(new).object.keyBlock?.keyBytes)
        #expect(newKey.count == 32 && newKey != oldKey)

        let attributes = try await client.getAttributes(new)
        #expect(attributes.names == [Self.name("clip-key"), Self.name("clip-key-2")])
        if version.major < 2 {
            // 1.x numbers the instances of a multi-instance attribute.
            #expect(try await client.getAttributes(new, [.name]).list.map(\.index) == [nil, 1])
        }
        #expect(attributes.objectGroups == ["camera"])
        #expect(attributes.cryptographicAlgorithm == .aes && attributes.cryptographicLength == 256)
        #expect(attributes.cryptographicUsageMask == [.encrypt, .decrypt])
        #expect(try attributes.value(String.self, of: "x-camera") == "camera-7")
        #expect(attributes.links == [Link(linkType: .replacedObjectLink, linkedObjectIdentifier: old)])
        // Activation = now + Offset, so the new key waits Pre-Active; the Deactivation Date keeps
        // its distance to the activation.
        let newActivation = try #require(attributes.activationDate?.secondsSince1970)
        #expect((before + 7200 ... after + 7200).contains(newActivation))
        #expect(attributes.deactivationDate?.secondsSince1970 == newActivation + 86_400)
        #expect(attributes.state == .preActive)
        #expect(attributes.revocationReason == nil && attributes.destroyDate == nil)

        let oldAttributes = try await client.getAttributes(old)
        #expect(oldAttributes.names.isEmpty)
        #expect(oldAttributes.links == [Link(linkType: .replacementObjectLink, linkedObjectIdentifier: new)])
        #expect(oldAttributes.state == .active)

        // Without an Offset the dates are copied (here an activation still to come).
        let third = try await client.perform(ReKeyRequest(uniqueIdentifier: new)).uniqueIdentifier
        let thirdAttributes = try await client.getAttributes(third)
        #expect(thirdAttributes.activationDate == attributes.activationDate && thirdAttributes.state == .preActive)
        #expect(thirdAttributes.names == [Self.name("clip-key"), Self.name("clip-key-2")])
        var filter = Attributes()
        filter.names = [Self.name("clip-key")]
        #expect(try await client.locate(filter) == [third])

        // Only symmetric keys are re-keyed.
        let pair = try await client.createKeyPair(algorithm: .ecdsa, length: 256)
        let refused = await #expect(throws: KMIPOperationError.self) { try await client.perform(ReKeyRequest(uniqueIdentifier: pair.privateKey)) }
        #expect(refused?.resultReason == (version.major >= 2 ? .invalidObjectType : .illegalOperation))
        await client.shutdown()
        await server.listener.shutdown()
    }

    @Test("the OASIS Re-key test cases (TC-REKEY-1-10 and 1-13 in KMIP 1.4, TC-REKEY-1-20 in 2.0) replay against the server")
    func oasisReKeyCases() async throws {
        let server = try await RunningServer.start()
        let client = try server.client()
        let replay = ServerReplay(client: client)
        for path in ["1.4/testcases/TC-REKEY-1-10.xml", "1.4/testcases/TC-REKEY-1-13.xml", "2.0/testcases/TC-REKEY-1-20.xml"] {
            let data = try [UInt8](Data(contentsOf: Repository.url("Vectors/oasis-xml/" + path)))
            let failure = await replay.failure(forXML: data)
            #expect(failure == nil, "\(path): \(failure ?? "")")
        }
        await client.shutdown()
        await server.listener.shutdown()
    }

    @Test("Re-key in a batch with the ID Placeholder: the new key's identifier is the placeholder")
    func reKeyPlaceholder() async throws {
        let server = try await RunningServer.start()
        let client = try server.client(version: .v2_1)
        let old = try await client.createSymmetricKey(algorithm: .aes, length: 128)
        var batch = KMIPBatch()
        batch.add(ReKeyRequest(uniqueIdentifier: old))
        batch.add(GetAttributesRequest(attributeNames: [.link]))
        let results = try await client.perform(batch)
        guard case .reKey(let rekeyed) = try results[0].get(), case .getAttributes(let attributes) = try results[1].get() else {
            Issue.record("unexpected answers \(results)")
            return
        }
        #expect(attributes.uniqueIdentifier == rekeyed.uniqueIdentifier)
        #expect(attributes.attributes?.links == [Link(linkType: .replacedObjectLink, linkedObjectIdentifier: old)])
        await client.shutdown()
        await server.listener.shutdown()
    }

    @Test("Re-key Key Pair: RSA and EC pairs replaced, each new key linked to its partner and to the key it replaces", arguments: [KMIPVersion.v1_2, .v2_1])
    func reKeyKeyPair(_ version: KMIPVersion) async throws {
        let server = try await RunningServer.start()
        let client = try server.client(version: version)
        for (algorithm, length) in [(CryptographicAlgorithm.rsa, Int32(2048)), (.ecdsa, 384)] {
            var named = Attributes()
            named.names = [Self.name("signer-\(length)")]
            let old = try await client.createKeyPair(algorithm: algorithm, length: length, privateKeyAttributes: named)
            let response = try await client.perform(ReKeyKeyPairRequest(privateKeyUniqueIdentifier: old.privateKey, offset: KMIPInterval(seconds: 0)))
            let (newPrivate, newPublic) = (response.privateKeyUniqueIdentifier, response.publicKeyUniqueIdentifier)
            #expect(Set([newPrivate, newPublic]).isDisjoint(with: [old.privateKey, old.publicKey]))

            let privateAttributes = try await client.getAttributes(newPrivate)
            let publicAttributes = try await client.getAttributes(newPublic)
            #expect(Set(privateAttributes.links.map { "\($0.linkType.rawValue) \($0.linkedObjectIdentifier)" }) == [
                "\(LinkType.publicKeyLink.rawValue) \(newPublic)", "\(LinkType.replacedObjectLink.rawValue) \(old.privateKey)",
            ])
            #expect(Set(publicAttributes.links.map { "\($0.linkType.rawValue) \($0.linkedObjectIdentifier)" }) == [
                "\(LinkType.privateKeyLink.rawValue) \(newPrivate)", "\(LinkType.replacedObjectLink.rawValue) \(old.publicKey)",
            ])
            #expect(privateAttributes.cryptographicLength == length && publicAttributes.cryptographicLength == length)
            #expect(privateAttributes.cryptographicUsageMask == [.sign] && publicAttributes.cryptographicUsageMask == [.verify])
            #expect(privateAttributes.names == [Self.name("signer-\(length)")])
            #expect(privateAttributes.state == .active, "an Offset of 0 activates the replacement now")
            #expect(try await client.getAttributes(old.privateKey).links.contains(Link(linkType: .replacementObjectLink, linkedObjectIdentifier: newPrivate)))
            #expect(try await client.getAttributes(old.publicKey).links.contains(Link(linkType: .replacementObjectLink, linkedObjectIdentifier: newPublic)))
            #expect(try await client.getAttributes(old.privateKey).names.isEmpty)

            // The new pair works: the new private key signs, the new public key verifies.
            let message = Array("manifest".utf8)
            let signature = try await client.perform(SignRequest(uniqueIdentifier: newPrivate, data: message)).signatureData
            let verdict = try await client.perform(SignatureVerifyRequest(uniqueIdentifier: newPublic, data: message, signatureData: signature))
            #expect(verdict.validityIndicator == .valid)
            try await client.activate(old.publicKey)
            let oldVerdict = try await client.perform(SignatureVerifyRequest(uniqueIdentifier: old.publicKey, data: message, signatureData: signature))
            #expect(oldVerdict.validityIndicator == .invalid)
        }
        await client.shutdown()
        await server.listener.shutdown()
    }

    @Test("Check: Usage Limits Count, Cryptographic Usage Mask and Lease Time within the object's allow it; beyond them is Permission Denied")
    func check() async throws {
        let server = try await RunningServer.start()
        let client = try server.client(version: .v1_4)
        var extra = Attributes()
        extra.append(try Attribute(name: .usageLimits, UsageLimits(usageLimitsTotal: 100, usageLimitsCount: 100, usageLimitsUnit: .byte)))
        extra.leaseTime = KMIPInterval(seconds: 3600)
        let id = try await client.createSymmetricKey(algorithm: .aes, length: 128, usage: [.encrypt], attributes: extra)

        let fine = try await client.perform(CheckRequest(
            uniqueIdentifier: id, usageLimitsCount: 100, cryptographicUsageMask: [.encrypt], leaseTime: KMIPInterval(seconds: 60)))
        #expect(fine.uniqueIdentifier == id)
        for (request, named) in [
            (CheckRequest(uniqueIdentifier: id, usageLimitsCount: 101), "Usage Limits Count"),
            (CheckRequest(uniqueIdentifier: id, cryptographicUsageMask: [.encrypt, .decrypt]), "Cryptographic Usage Mask"),
            (CheckRequest(uniqueIdentifier: id, leaseTime: KMIPInterval(seconds: 7200)), "Lease Time"),
        ] {
            let refused = await #expect(throws: KMIPOperationError.self) { try await client.perform(request) }
            #expect(refused?.resultReason == .permissionDenied)
            #expect(refused?.resultMessage?.contains(named) == true, "\(refused?.resultMessage ?? "")")
        }
        let negative = await #expect(throws: KMIPOperationError.self) { try await client.perform(CheckRequest(uniqueIdentifier: id, usageLimitsCount: -1)) }
        #expect(negative?.resultReason == .invalidField)
        await client.shutdown()
        await server.listener.shutdown()
    }

    @Test("Usage Limits: Encrypt, MAC and Sign count down (bytes or objects); an exhausted key is refused; Decrypt is not counted", arguments: [KMIPVersion.v1_4, .v2_1])
    func usageLimits(_ version: KMIPVersion) async throws {
        let server = try await RunningServer.start()
        let client = try server.client(version: version)
        let ecb = CryptographicParameters(blockCipherMode: .ecb)
        var bytes = Attributes()
        bytes.activationDate = KMIPDateTime(secondsSince1970: Self.now() - 60)
        // A Count from the client is not taken: the server starts it at the Total.
        bytes.append(try Attribute(name: .usageLimits, UsageLimits(usageLimitsTotal: 32, usageLimitsCount: 1000, usageLimitsUnit: .byte)))
        let id = try await client.createSymmetricKey(algorithm: .aes, length: 128, attributes: bytes)
        let block = [UInt8](repeating: 7, count: 16)
        let first = try await client.perform(EncryptRequest(uniqueIdentifier: id, cryptographicParameters: ecb, data: block))
        #expect(try await client.getAttributes(id, [.usageLimits]).usageLimits == UsageLimits(usageLimitsTotal: 32, usageLimitsCount: 16, usageLimitsUnit: .byte))
        _ = try await client.perform(EncryptRequest(uniqueIdentifier: id, cryptographicParameters: ecb, data: block))
        let refused = await #expect(throws: KMIPOperationError.self) {
            try await client.perform(EncryptRequest(uniqueIdentifier: id, cryptographicParameters: ecb, data: block))
        }
        #expect(refused?.resultReason == .permissionDenied)
        // Decrypting applies no protection: it is not limited.
        let plain = try await client.perform(DecryptRequest(uniqueIdentifier: id, cryptographicParameters: ecb, data: first.data))
        #expect(plain.data == block)
        #expect(try await client.getAttributes(id, [.usageLimits]).usageLimits?.usageLimitsCount == 0)
        // The client may not reset what is left.
        let reset = await #expect(throws: KMIPOperationError.self) {
            try await client.perform(AddAttributeRequest(uniqueIdentifier: id, attribute: try Attribute(
                name: .usageLimits, UsageLimits(usageLimitsTotal: 32, usageLimitsCount: 32, usageLimitsUnit: .byte))))
        }
        #expect(reset?.resultReason == .attributeReadOnly)

        // Object units: each operation counts one, whatever its size.
        var objects = Attributes()
        objects.activationDate = KMIPDateTime(secondsSince1970: Self.now() - 60)
        objects.append(try Attribute(name: .usageLimits, UsageLimits(usageLimitsTotal: 2, usageLimitsCount: 2, usageLimitsUnit: .object)))
        let mac = try await client.createSymmetricKey(algorithm: .hmacSHA256, length: 256, usage: [.macGenerate], attributes: objects)
        let data = [UInt8](repeating: 1, count: 4096)
        _ = try await client.perform(MACRequest(uniqueIdentifier: mac, data: data))
        _ = try await client.perform(MACRequest(uniqueIdentifier: mac, data: data))
        let exhausted = await #expect(throws: KMIPOperationError.self) { try await client.perform(MACRequest(uniqueIdentifier: mac, data: [1])) }
        #expect(exhausted?.resultReason == .permissionDenied)

        // A replacement starts with the whole Total again.
        let renewed = try await client.perform(ReKeyRequest(uniqueIdentifier: mac)).uniqueIdentifier
        #expect(try await client.getAttributes(renewed, [.usageLimits]).usageLimits == UsageLimits(usageLimitsTotal: 2, usageLimitsCount: 2, usageLimitsUnit: .object))
        await client.shutdown()
        await server.listener.shutdown()
    }

    @Test("Adjust Attribute (2.x): Increment, Decrement and Negate numbers and dates; wrong types, overflow and server attributes refused")
    func adjustAttribute() async throws {
        let server = try await RunningServer.start()
        let client = try server.client(version: .v2_1)
        let id = try await client.createSymmetricKey(algorithm: .aes, length: 128)
        _ = try await client.perform(AddAttributeRequest(uniqueIdentifier: id, attribute: Attribute(name: "x-rotations", value: .integer(5))))
        _ = try await client.perform(AddAttributeRequest(uniqueIdentifier: id, attribute: Attribute(name: "x-review", value: .dateTime(1_700_000_000))))
        _ = try await client.perform(AddAttributeRequest(uniqueIdentifier: id, attribute: Attribute(name: "x-label", value: .textString("clip"))))

        func value(_ name: AttributeName) async throws -> KMIPItem.Value? {
            try await client.getAttributes(id, [name]).all(name).first?.value
        }
        _ = try await client.perform(AdjustAttributeRequest(uniqueIdentifier: id, attributeName: "x-rotations", adjustmentType: .increment, adjustmentValue: .integer(3)))
        #expect(try await value("x-rotations") == .integer(8))
        _ = try await client.perform(AdjustAttributeRequest(uniqueIdentifier: id, attributeName: "x-rotations", adjustmentType: .decrement))
        #expect(try await value("x-rotations") == .integer(7))
        _ = try await client.perform(AdjustAttributeRequest(uniqueIdentifier: id, attributeName: "x-rotations", adjustmentType: .negate))
        #expect(try await value("x-rotations") == .integer(-7))
        _ = try await client.perform(AdjustAttributeRequest(uniqueIdentifier: id, attributeName: "x-review", adjustmentType: .increment, adjustmentValue: .interval(86_400)))
        #expect(try await value("x-review") == .dateTime(1_700_086_400))

        let failures: [(AdjustAttributeRequest, ResultReason)] = [
            (AdjustAttributeRequest(uniqueIdentifier: id, attributeName: "x-rotations", adjustmentType: .decrement, adjustmentValue: .integer(Int32.max)), .numericRange),
            (AdjustAttributeRequest(uniqueIdentifier: id, attributeName: "x-label", adjustmentType: .increment), .invalidDataType),
            (AdjustAttributeRequest(uniqueIdentifier: id, attributeName: "x-missing", adjustmentType: .increment), .attributeNotFound),
            (AdjustAttributeRequest(uniqueIdentifier: id, attributeName: .cryptographicLength, adjustmentType: .increment), .attributeReadOnly),
        ]
        for (request, reason) in failures {
            let refused = await #expect(throws: KMIPOperationError.self) { try await client.perform(request) }
            #expect(refused?.resultReason == reason, "\(request.attributeName)")
        }
        #expect(try await value("x-rotations") == .integer(-7))
        await client.shutdown()
        await server.listener.shutdown()
    }
}
