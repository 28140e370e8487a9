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
