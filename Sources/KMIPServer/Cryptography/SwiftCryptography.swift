// swift-kmip: KMIPServer
//
// The engine's cryptography on swift-crypto (BoringSSL on Linux) and its RSA extras.

import Crypto
import Foundation
import KMIP
import _CryptoExtras

extension KMIPServerEngine {
    /// The cryptography engines use.
    static let defaultCryptography: any KMIPServerCryptography = SwiftCryptography()
}

/// Key pairs: RSA 2048, 3072 and 4096 (private key PKCS#1, public key PKCS#1); EC on P-256, P-384
/// and P-521 (private key PKCS#8, public key X.509 SubjectPublicKeyInfo).
struct SwiftCryptography: KMIPServerCryptography {
    func sha256(_ bytes: [UInt8]) -> [UInt8]? { Array(SHA256.hash(data: bytes)) }

    // MARK: - Encrypt and Decrypt: AES ECB, CBC (PKCS#5 padding or none), GCM; ChaCha20; ChaCha20-Poly1305

    func encrypt(_ request: CipherRequest) throws -> CipherResult {
        try cipher(request, encrypting: true)
    }

    func decrypt(_ request: CipherRequest) throws -> [UInt8] {
        try cipher(request, encrypting: false).data
    }

    private func cipher(_ request: CipherRequest, encrypting: Bool) throws -> CipherResult {
        let key = SymmetricKey(data: request.key)
        func randomIV(_ count: Int) -> [UInt8] {
            var generator = SystemRandomNumberGenerator()
            return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        }
        do {
            switch (request.algorithm, request.mode) {
            case (.aes, .ecb?):
                let padded = request.padding == .pkcs5
                guard padded || request.padding == nil || request.padding == PaddingMethod.none else {
                    throw OperationFailure(.featureNotSupported, "ECB padding \(request.padding.map { "\($0)" } ?? "") is not supported (PKCS5 or none)")
                }
                var output = request.data
                if padded && encrypting {
                    let count = 16 - output.count % 16
                    output += Array(repeating: UInt8(count), count: count)
                }
                guard output.count % 16 == 0 else {
                    throw OperationFailure(.invalidField, "ECB data must be a multiple of 16 bytes, not \(request.data.count)")
                }
                for start in stride(from: 0, to: output.count, by: 16) {
                    var block = Array(output[start..<start + 16])
                    if encrypting { try AES.permute(&block, key: key) } else { try AES.inversePermute(&block, key: key) }
                    output.replaceSubrange(start..<start + 16, with: block)
                }
                if padded && !encrypting {
                    guard let last = output.last, (1...16).contains(last), output.count >= Int(last),
                        output.suffix(Int(last)).allSatisfy({ $0 == last })
                    else { throw OperationFailure(.cryptographicFailure, "the decrypted data has no valid PKCS#5 padding") }
                    output.removeLast(Int(last))
                }
                return CipherResult(data: output)
            case (.aes, .cbc?):
                let noPadding = request.padding == nil || request.padding == PaddingMethod.none
                guard noPadding || request.padding == .pkcs5 else {
                    throw OperationFailure(.featureNotSupported, "CBC padding \(request.padding.map { "\($0)" } ?? "") is not supported (PKCS5 or none)")
                }
                let chosen = request.iv == nil && encrypting ? randomIV(16) : nil
                guard let ivBytes = request.iv ?? chosen else {
                    // The OASIS test cases answer a Decrypt without its IV as Invalid Message.
                    throw OperationFailure(.invalidMessage, "CBC decryption needs the IV (IV/Counter/Nonce)")
                }
                guard ivBytes.count == 16 else { throw OperationFailure(.invalidField, "CBC needs a 16-byte IV, not \(ivBytes.count) bytes") }
                let iv = try AES._CBC.IV(ivBytes: ivBytes)
                let output = encrypting
                    ? try AES._CBC.encrypt(request.data, using: key, iv: iv, noPadding: noPadding)
                    : try AES._CBC.decrypt(request.data, using: key, iv: iv, noPadding: noPadding)
                return CipherResult(data: Array(output), chosenIV: chosen)
            case (.aes, .gcm?):
                let chosen = request.iv == nil && encrypting ? randomIV(12) : nil
                guard let ivBytes = request.iv ?? chosen else { throw OperationFailure(.invalidField, "GCM needs an IV") }
                let nonce = try AES.GCM.Nonce(data: ivBytes)
                let aad = request.additionalData ?? []
                if encrypting {
                    let box = try AES.GCM.seal(request.data, using: key, nonce: nonce, authenticating: aad)
                    return CipherResult(data: Array(box.ciphertext), chosenIV: chosen, tag: Array(Array(box.tag).prefix(request.tagLength)))
                }
                guard let tag = request.tag, tag.count == 16 else {
                    throw OperationFailure(.invalidField, "GCM decryption needs the 16-byte Authenticated Encryption Tag")
                }
                let box = try AES.GCM.SealedBox(nonce: nonce, ciphertext: request.data, tag: tag)
                return CipherResult(data: Array(try AES.GCM.open(box, using: key, authenticating: aad)))
            case (.chaCha20, nil), (.chaCha20, .ctr?):
                // The original ChaCha20 takes an 8-byte nonce and a 64-bit counter from 0: the same
                // key stream as RFC 8439's with 4 zero bytes before the nonce.
                guard let nonceBytes = request.iv, nonceBytes.count == 8 || nonceBytes.count == 12 else {
                    throw OperationFailure(.invalidField, "ChaCha20 needs an 8- or 12-byte nonce")
                }
                let nonce = try Insecure.ChaCha20CTR.Nonce(data: nonceBytes.count == 8 ? [0, 0, 0, 0] + nonceBytes : nonceBytes)
                let output = try Insecure.ChaCha20CTR.encrypt(request.data, using: key, counter: Insecure.ChaCha20CTR.Counter(), nonce: nonce)
                return CipherResult(data: Array(output))
            case (.chaCha20Poly1305, _):
                let chosen = request.iv == nil && encrypting ? randomIV(12) : nil
                guard let nonceBytes = request.iv ?? chosen else { throw OperationFailure(.invalidField, "ChaCha20-Poly1305 needs a nonce") }
                let nonce = try ChaChaPoly.Nonce(data: nonceBytes)
                let aad = request.additionalData ?? []
                if encrypting {
                    let box = try ChaChaPoly.seal(request.data, using: key, nonce: nonce, authenticating: aad)
                    return CipherResult(data: Array(box.ciphertext), chosenIV: chosen, tag: Array(box.tag))
                }
                guard let tag = request.tag else { throw OperationFailure(.invalidField, "ChaCha20-Poly1305 decryption needs the tag") }
                let box = try ChaChaPoly.SealedBox(nonce: nonce, ciphertext: request.data, tag: tag)
                return CipherResult(data: Array(try ChaChaPoly.open(box, using: key, authenticating: aad)))
            case (.rsa, _):
                // RSA-OAEP with SHA-1 or SHA-256 (the mask generation function on the same hash).
                let hash = request.hashing ?? .sha1
                let padding: _RSA.Encryption.Padding
                switch (hash, request.maskHashing ?? hash) {
                case (.sha1, .sha1): padding = .PKCS1_OAEP
                case (.sha256, .sha256): padding = .PKCS1_OAEP_SHA256
                default:
                    throw OperationFailure(.cryptographicFailure, "RSA-OAEP with \(hash) and MGF1 \(request.maskHashing ?? hash) is not supported (SHA-1 or SHA-256 for both)")
                }
                guard request.padding == .oaep else {
                    throw OperationFailure(.cryptographicFailure, "RSA encryption takes OAEP padding here, not \(request.padding.map { "\($0)" } ?? "none")")
                }
                if encrypting {
                    return CipherResult(data: Array(try _RSA.Encryption.PublicKey(derRepresentation: request.key).encrypt(request.data, padding: padding)))
                }
                return CipherResult(data: Array(try _RSA.Encryption.PrivateKey(derRepresentation: request.key).decrypt(request.data, padding: padding)))
            case (.aes, nil):
                throw OperationFailure(.invalidField, "AES needs a Block Cipher Mode in the Cryptographic Parameters")
            default:
                throw OperationFailure(
                    .cryptographicFailure,
                    "\(request.algorithm)\(request.mode.map { " in \($0) mode" } ?? "") is not supported (AES ECB/CBC/GCM, ChaCha20, ChaCha20-Poly1305)")
            }
        } catch let failure as OperationFailure {
            throw failure
        } catch {
            throw OperationFailure(.cryptographicFailure, "\(encrypting ? "encryption" : "decryption") failed: \(error)")
        }
    }

    // MARK: - Sign and Signature Verify: RSA (PKCS#1 v1.5, PSS) and ECDSA (P-256, P-384, P-521)

    /// The hashing algorithm and RSA padding a request asks for.
    private func signatureScheme(_ parameters: CryptographicParameters?) -> (HashingAlgorithm, _RSA.Signing.Padding) {
        switch parameters?.digitalSignatureAlgorithm {
        case .sha256WithRSAEncryption?: return (.sha256, .insecurePKCS1v1_5)
        case .sha384WithRSAEncryption?: return (.sha384, .insecurePKCS1v1_5)
        case .sha512WithRSAEncryption?: return (.sha512, .insecurePKCS1v1_5)
        case .rsassaPSS?: return (parameters?.hashingAlgorithm ?? .sha256, .PSS)
        default: return (parameters?.hashingAlgorithm ?? .sha256, parameters?.paddingMethod == .pss ? .PSS : .insecurePKCS1v1_5)
        }
    }

    private func digest(_ algorithm: HashingAlgorithm, _ data: [UInt8]) throws -> any Crypto.Digest {
        switch algorithm {
        case .sha256: return SHA256.hash(data: data)
        case .sha384: return SHA384.hash(data: data)
        case .sha512: return SHA512.hash(data: data)
        default: throw OperationFailure(.cryptographicFailure, "signing with \(algorithm) is not supported (SHA-256, SHA-384, SHA-512)")
        }
    }

    func sign(_ request: SignatureRequest) throws -> [UInt8] {
        do {
            switch request.algorithm {
            case .rsa:
                let key = try _RSA.Signing.PrivateKey(derRepresentation: request.keyBytes)
                let (hash, padding) = signatureScheme(request.parameters)
                switch try digest(hash, request.data) {
                case let value as SHA256.Digest: return Array(try key.signature(for: value, padding: padding).rawRepresentation)
                case let value as SHA384.Digest: return Array(try key.signature(for: value, padding: padding).rawRepresentation)
                case let value as SHA512.Digest: return Array(try key.signature(for: value, padding: padding).rawRepresentation)
                default: throw OperationFailure(.cryptographicFailure, "no such digest")
                }
            case .ec, .ecdsa:
                switch request.key.cryptographicLength {
                case 384?: return Array(try P384.Signing.PrivateKey(derRepresentation: request.keyBytes).signature(for: request.data).derRepresentation)
                case 521?: return Array(try P521.Signing.PrivateKey(derRepresentation: request.keyBytes).signature(for: request.data).derRepresentation)
                default: return Array(try P256.Signing.PrivateKey(derRepresentation: request.keyBytes).signature(for: request.data).derRepresentation)
                }
            default:
                throw OperationFailure(.cryptographicFailure, "signing with \(request.algorithm) is not supported (RSA, ECDSA)")
            }
        } catch let failure as OperationFailure {
            throw failure
        } catch {
            throw OperationFailure(.cryptographicFailure, "signing failed: \(error)")
        }
    }

    func wrapKey(_ bytes: [UInt8], with key: [UInt8]) throws -> [UInt8] {
        do {
            return Array(try AES.KeyWrap.wrap(SymmetricKey(data: bytes), using: SymmetricKey(data: key)))
        } catch {
            throw OperationFailure(.cryptographicFailure, "AES key wrap failed: \(error)")
        }
    }

    func reencodeRSAKey(_ bytes: [UInt8], isPrivate: Bool, as format: KeyFormatType) throws -> [UInt8] {
        let encoded: Data?
        do {
            if isPrivate {
                let key = try _RSA.Signing.PrivateKey(unsafeDERRepresentation: bytes)
                encoded = format == .pkcs1 ? key.derRepresentation : format == .pkcs8 ? key.pkcs8DERRepresentation : nil
            } else {
                let key = try _RSA.Signing.PublicKey(unsafeDERRepresentation: bytes)
                encoded = format == .pkcs1 ? key.pkcs1DERRepresentation : format == .x509 ? key.derRepresentation : nil
            }
        } catch {
            throw OperationFailure(.cryptographicFailure, "the RSA key cannot be read: \(error)")
        }
        guard let encoded else {
            throw OperationFailure(.keyFormatTypeNotSupported, "an RSA \(isPrivate ? "private" : "public") key is not converted to \(format)")
        }
        return Array(encoded)
    }

    func verify(_ request: SignatureRequest, signature: [UInt8]) throws -> Bool {
        do {
            switch request.algorithm {
            case .rsa:
                let key = try _RSA.Signing.PublicKey(derRepresentation: request.keyBytes)
                let (hash, padding) = signatureScheme(request.parameters)
                let value = _RSA.Signing.RSASignature(rawRepresentation: signature)
                switch try digest(hash, request.data) {
                case let digest as SHA256.Digest: return key.isValidSignature(value, for: digest, padding: padding)
                case let digest as SHA384.Digest: return key.isValidSignature(value, for: digest, padding: padding)
                case let digest as SHA512.Digest: return key.isValidSignature(value, for: digest, padding: padding)
                default: return false
                }
            case .ec, .ecdsa:
                switch request.key.cryptographicLength {
                case 384?: return try P384.Signing.PublicKey(derRepresentation: request.keyBytes).isValidSignature(P384.Signing.ECDSASignature(derRepresentation: signature), for: request.data)
                case 521?: return try P521.Signing.PublicKey(derRepresentation: request.keyBytes).isValidSignature(P521.Signing.ECDSASignature(derRepresentation: signature), for: request.data)
                default: return try P256.Signing.PublicKey(derRepresentation: request.keyBytes).isValidSignature(P256.Signing.ECDSASignature(derRepresentation: signature), for: request.data)
                }
            default:
                throw OperationFailure(.cryptographicFailure, "verifying with \(request.algorithm) is not supported (RSA, ECDSA)")
            }
        } catch let failure as OperationFailure {
            throw failure
        } catch {
            // A signature that does not even parse is not valid.
            return false
        }
    }

    // MARK: - MAC and Hash

    func mac(key: [UInt8], algorithm: CryptographicAlgorithm, data: [UInt8]) throws -> [UInt8] {
        let key = SymmetricKey(data: key)
        switch algorithm {
        case .hmacSHA1: return Array(HMAC<Insecure.SHA1>.authenticationCode(for: data, using: key))
        case .hmacSHA256: return Array(HMAC<SHA256>.authenticationCode(for: data, using: key))
        case .hmacSHA384: return Array(HMAC<SHA384>.authenticationCode(for: data, using: key))
        case .hmacSHA512: return Array(HMAC<SHA512>.authenticationCode(for: data, using: key))
        default: throw OperationFailure(.cryptographicFailure, "MAC with \(algorithm) is not supported (HMAC-SHA1/256/384/512)")
        }
    }

    func hash(_ algorithm: HashingAlgorithm, data: [UInt8]) throws -> [UInt8] {
        switch algorithm {
        case .sha1: return Array(Insecure.SHA1.hash(data: data))
        case .sha256: return Array(SHA256.hash(data: data))
        case .sha384: return Array(SHA384.hash(data: data))
        case .sha512: return Array(SHA512.hash(data: data))
        default: throw OperationFailure(.cryptographicFailure, "hashing with \(algorithm) is not supported (SHA-1, SHA-256, SHA-384, SHA-512)")
        }
    }

    func makeKeyPair(algorithm: CryptographicAlgorithm, length: Int32?, curve: RecommendedCurve?) throws -> KeyPairBlocks {
        switch algorithm {
        case .rsa:
            let bits = length ?? 2048
            let size: _RSA.Signing.KeySize
            switch bits {
            case 2048: size = .bits2048
            case 3072: size = .bits3072
            case 4096: size = .bits4096
            default: throw OperationFailure(.cryptographicFailure, "cannot make an RSA key of \(bits) bits (2048, 3072 or 4096)")
            }
            let key = try _RSA.Signing.PrivateKey(keySize: size)
            return KeyPairBlocks(
                privateKey: KeyBlock(
                    keyFormatType: .pkcs1, keyValue: .plain(.bytes(Array(key.derRepresentation))), cryptographicAlgorithm: .rsa,
                    cryptographicLength: bits),
                publicKey: KeyBlock(
                    keyFormatType: .pkcs1, keyValue: .plain(.bytes(Array(key.publicKey.pkcs1DERRepresentation))), cryptographicAlgorithm: .rsa,
                    cryptographicLength: bits))
        case .ec, .ecdsa, .ecdh:
            let chosen: RecommendedCurve
            switch (curve, length) {
            case (let curve?, _): chosen = curve
            case (nil, 256?), (nil, nil): chosen = .p256
            case (nil, 384?): chosen = .p384
            case (nil, 521?): chosen = .p521
            case (nil, let other?): throw OperationFailure(.cryptographicFailure, "no curve of \(other) bits (256, 384 or 521)")
            }
            let (privateDER, publicDER, bits): (Data, Data, Int32)
            switch chosen {
            case .p256:
                let key = P256.Signing.PrivateKey()
                (privateDER, publicDER, bits) = (key.derRepresentation, key.publicKey.derRepresentation, 256)
            case .p384:
                let key = P384.Signing.PrivateKey()
                (privateDER, publicDER, bits) = (key.derRepresentation, key.publicKey.derRepresentation, 384)
            case .p521:
                let key = P521.Signing.PrivateKey()
                (privateDER, publicDER, bits) = (key.derRepresentation, key.publicKey.derRepresentation, 521)
            default:
                throw OperationFailure(.cryptographicFailure, "curve \(chosen) is not supported (P-256, P-384, P-521)")
            }
            return KeyPairBlocks(
                privateKey: KeyBlock(keyFormatType: .pkcs8, keyValue: .plain(.bytes(Array(privateDER))), cryptographicAlgorithm: algorithm, cryptographicLength: bits),
                publicKey: KeyBlock(keyFormatType: .x509, keyValue: .plain(.bytes(Array(publicDER))), cryptographicAlgorithm: algorithm, cryptographicLength: bits))
        default:
            throw OperationFailure(.cryptographicFailure, "Create Key Pair makes RSA and EC keys, not \(algorithm)")
        }
    }
}
