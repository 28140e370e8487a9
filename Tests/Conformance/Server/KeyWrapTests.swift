// Get with key format conversion and with key wrapping (NIST Key Wrap under an AES key), checked
// by unwrapping with swift-crypto.

import Crypto
import Foundation
import KMIP
import KMIPServer
import Testing
import _CryptoExtras

@Suite("Reference server: Get with key format conversion and key wrapping", .serialized)
struct KeyWrapTests {
    static func activeAttributes() -> Attributes {
        var attributes = Attributes()
        attributes.activationDate = KMIPDateTime(secondsSince1970: Int64(Date().timeIntervalSince1970) - 60)
        return attributes
    }

    static func specification(_ kek: UniqueIdentifier, mode: BlockCipherMode = .nistKeyWrap, encoding: EncodingOption?) -> KeyWrappingSpecification {
        KeyWrappingSpecification(
            wrappingMethod: .encrypt,
            encryptionKeyInformation: EncryptionKeyInformation(uniqueIdentifier: kek, cryptographicParameters: CryptographicParameters(blockCipherMode: mode)),
            encodingOption: encoding)
    }

    static func unwrap(_ wrapped: [UInt8], with kek: [UInt8]) throws -> [UInt8] {
        try AES.KeyWrap.unwrap(wrapped, using: Crypto.SymmetricKey(data: kek)).withUnsafeBytes { Array($0) }
    }

    @Test("a key wrapped under an AES key (No Encoding and TTLV Encoding) unwraps to the key; the Key Wrapping Data names the wrapping key", arguments: [KMIPVersion.v1_2, .v2_1])
    func wrap(_ version: KMIPVersion) async throws {
        let server = try await RunningServer.start()
        let client = try server.client(version: version)
        let kek = try await client.createSymmetricKey(algorithm: .aes, length: 256, usage: [.wrapKey, .unwrapKey], attributes: Self.activeAttributes())
        let key = try await client.createSymmetricKey(algorithm: .aes, length: 128, name: "clip-key")
        let kekBytes = try #require(try await client.get(kek).object.keyBlock?.keyBytes)
        let clear = try #require(try await client.get(key).object.keyBlock?.keyBytes)

        let bare = try #require(try await client.get(key, keyWrappingSpecification: Self.specification(kek, encoding: .noEncoding)).object.keyBlock)
        guard case .wrapped(let wrapped)? = bare.keyValue else { Issue.record("not wrapped: \(bare)"); return }
        #expect(wrapped.count == 24)
        #expect(try Self.unwrap(wrapped, with: kekBytes) == clear)
        #expect(bare.keyWrappingData?.wrappingMethod == .encrypt)
        #expect(bare.keyWrappingData?.encryptionKeyInformation?.uniqueIdentifier == kek)
        #expect(bare.keyFormatType == .raw && bare.cryptographicLength == 128)

        let encoded = try #require(try await client.get(key, keyWrappingSpecification: Self.specification(kek, encoding: nil)).object.keyBlock)
        guard case .wrapped(let wrappedValue)? = encoded.keyValue else { Issue.record("not wrapped: \(encoded)"); return }
        let keyValue = try TTLVDecoder().decode(try Self.unwrap(wrappedValue, with: kekBytes))
        #expect(keyValue.tag == .keyValue)
        #expect(keyValue.child(.keyMaterial)?.value == .byteString(clear))
        await client.shutdown()
        await server.listener.shutdown()
    }

    @Test("a key wrapped under an RSA public key with OAEP (SHA-256) decrypts with the private key")
    func wrapRSA() async throws {
        let server = try await RunningServer.start()
        let client = try server.client(version: .v2_1)
        var publicAttributes = Self.activeAttributes()
        publicAttributes.cryptographicUsageMask = [.wrapKey]
        let pair = try await client.createKeyPair(algorithm: .rsa, length: 2048, publicKeyAttributes: publicAttributes)
        let key = try await client.createSymmetricKey(algorithm: .aes, length: 256)
        let clear = try #require(try await client.get(key).object.keyBlock?.keyBytes)
        let specification = KeyWrappingSpecification(
            wrappingMethod: .encrypt,
            encryptionKeyInformation: EncryptionKeyInformation(
                uniqueIdentifier: pair.publicKey, cryptographicParameters: CryptographicParameters(paddingMethod: .oaep, hashingAlgorithm: .sha256)),
            encodingOption: .noEncoding)
        let block = try #require(try await client.get(key, keyWrappingSpecification: specification).object.keyBlock)
        guard case .wrapped(let wrapped)? = block.keyValue else { Issue.record("not wrapped: \(block)"); return }
        #expect(wrapped.count == 256)
        let privateDER = try #require(try await client.get(pair.privateKey).object.keyBlock?.keyBytes)
        let unwrapped = try _RSA.Encryption.PrivateKey(derRepresentation: privateDER).decrypt(wrapped, padding: .PKCS1_OAEP_SHA256)
        #expect(Array(unwrapped) == clear)
        #expect(block.keyWrappingData?.encryptionKeyInformation?.uniqueIdentifier == pair.publicKey)
        await client.shutdown()
        await server.listener.shutdown()
    }

    @Test("wrapping is refused with a wrapping key that may not wrap, is not Active, is not AES, or asks for another mode")
    func refusals() async throws {
        let server = try await RunningServer.start()
        let client = try server.client(version: .v2_1)
        let key = try await client.createSymmetricKey(algorithm: .aes, length: 128)
        let encryptOnly = try await client.createSymmetricKey(algorithm: .aes, length: 256, usage: [.encrypt], attributes: Self.activeAttributes())
        let preActive = try await client.createSymmetricKey(algorithm: .aes, length: 256, usage: [.wrapKey])
        let hmac = try await client.createSymmetricKey(algorithm: .hmacSHA256, length: 256, usage: [.wrapKey], attributes: Self.activeAttributes())
        let good = try await client.createSymmetricKey(algorithm: .aes, length: 256, usage: [.wrapKey], attributes: Self.activeAttributes())
        let cases: [(KeyWrappingSpecification, ResultReason)] = [
            (Self.specification(encryptOnly, encoding: .noEncoding), .incompatibleCryptographicUsageMask),
            (Self.specification(preActive, encoding: .noEncoding), .wrongKeyLifecycleState),
            (Self.specification(hmac, encoding: .noEncoding), .invalidField),
            (Self.specification(good, mode: .cbc, encoding: .noEncoding), .featureNotSupported),
            (Self.specification(.text("no-such-key"), encoding: .noEncoding), .wrappingObjectNotFound),
            (KeyWrappingSpecification(wrappingMethod: .macSign, encryptionKeyInformation: EncryptionKeyInformation(uniqueIdentifier: good)), .featureNotSupported),
        ]
        for (specification, reason) in cases {
            let refused = await #expect(throws: KMIPOperationError.self) { try await client.get(key, keyWrappingSpecification: specification) }
            #expect(refused?.resultReason == reason, "\(specification)")
        }
        await client.shutdown()
        await server.listener.shutdown()
    }

    @Test("Get converts symmetric keys between Raw and Transparent Symmetric Key, RSA private keys between PKCS#1 and PKCS#8, RSA public keys between PKCS#1 and X.509; other conversions are Key Format Type Not Supported")
    func formats() async throws {
        let server = try await RunningServer.start()
        let client = try server.client(version: .v1_4)
        let key = try await client.createSymmetricKey(algorithm: .aes, length: 256)
        let raw = try #require(try await client.get(key).object.keyBlock)
        let transparent = try #require(try await client.get(key, keyFormatType: .transparentSymmetricKey).object.keyBlock)
        #expect(transparent.keyFormatType == .transparentSymmetricKey)
        guard case .plain(.transparentSymmetricKey(let material), _)? = transparent.keyValue else { Issue.record("\(transparent)"); return }
        #expect(material.key == raw.keyBytes)
        #expect(try await client.get(key, keyFormatType: .raw).object.keyBlock == raw)

        let pair = try await client.createKeyPair(algorithm: .rsa, length: 2048)
        // RSA keys: private PKCS#1 <-> PKCS#8, public PKCS#1 <-> X.509, the same key each time.
        let pkcs1Private = try #require(try await client.get(pair.privateKey).object.keyBlock?.keyBytes)
        let pkcs8Block = try #require(try await client.get(pair.privateKey, keyFormatType: .pkcs8).object.keyBlock)
        #expect(pkcs8Block.keyFormatType == .pkcs8)
        let pkcs8 = try #require(pkcs8Block.keyBytes)
        #expect(pkcs8 != pkcs1Private)
        #expect(Array(try _RSA.Signing.PrivateKey(derRepresentation: pkcs8).derRepresentation) == pkcs1Private)
        let pkcs1Public = try #require(try await client.get(pair.publicKey).object.keyBlock?.keyBytes)
        let x509 = try #require(try await client.get(pair.publicKey, keyFormatType: .x509).object.keyBlock?.keyBytes)
        #expect(Array(try _RSA.Signing.PublicKey(derRepresentation: x509).pkcs1DERRepresentation) == pkcs1Public)
        #expect(Array(try _RSA.Signing.PublicKey(derRepresentation: x509).derRepresentation) == x509)
        for (id, format) in [(key, KeyFormatType.pkcs8), (pair.privateKey, .transparentRSAPrivateKey), (pair.privateKey, .raw), (pair.publicKey, .pkcs8)] {
            let refused = await #expect(throws: KMIPOperationError.self) { try await client.get(id, keyFormatType: format) }
            #expect(refused?.resultReason == .keyFormatTypeNotSupported)
        }
        await client.shutdown()
        await server.listener.shutdown()
    }
}
