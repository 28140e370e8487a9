// swift-kmip: KMIPServer
//
// What the engine asks of a cryptographic library (swift-crypto in Cryptography/).

import KMIP

/// Key generation and cryptographic operations for the engine. The engine talks to this
/// protocol only; `SwiftCryptography` (swift-crypto and its extras) implements it.
protocol KMIPServerCryptography: Sendable {
    /// A new key pair: the private and public key blocks, in the formats the server keeps.
    ///
    /// - Throws: ``OperationFailure`` for an algorithm, length or curve it cannot make.
    func makeKeyPair(algorithm: CryptographicAlgorithm, length: Int32?, curve: RecommendedCurve?) throws -> KeyPairBlocks
    /// The SHA-256 of `bytes` (for the Digest attribute), or `nil` without cryptography.
    func sha256(_ bytes: [UInt8]) -> [UInt8]?
    /// Encrypts with a symmetric key; returns the ciphertext, the IV when the server chose it,
    /// and the tag of an authenticated mode.
    func encrypt(_ request: CipherRequest) throws -> CipherResult
    /// Decrypts with a symmetric key (the tag checked for authenticated modes).
    func decrypt(_ request: CipherRequest) throws -> [UInt8]
    /// An HMAC of `data` with `key`.
    func mac(key: [UInt8], algorithm: CryptographicAlgorithm, data: [UInt8]) throws -> [UInt8]
    /// A hash of `data`.
    func hash(_ algorithm: HashingAlgorithm, data: [UInt8]) throws -> [UInt8]
    /// A signature of `data` with a private key.
    func sign(_ request: SignatureRequest) throws -> [UInt8]
    /// Whether `signature` is a valid signature of `data` under a public key.
    func verify(_ request: SignatureRequest, signature: [UInt8]) throws -> Bool
    /// The AES key wrap (NIST SP 800-38F KW, RFC 3394) of `bytes` (16 or more, a multiple of 8)
    /// under the AES key `key`.
    func wrapKey(_ bytes: [UInt8], with key: [UInt8]) throws -> [UInt8]
    /// An RSA key in another encoding: a private key as PKCS#1 or PKCS#8, a public key as
    /// PKCS#1 or X.509 (SubjectPublicKeyInfo).
    ///
    /// - Throws: ``OperationFailure`` (Key Format Type Not Supported) for another format.
    func reencodeRSAKey(_ bytes: [UInt8], isPrivate: Bool, as format: KeyFormatType) throws -> [UInt8]
}

/// The inputs of Sign and Signature Verify.
struct SignatureRequest {
    var key: KeyBlock
    var keyBytes: [UInt8]
    var algorithm: CryptographicAlgorithm
    var parameters: CryptographicParameters?
    var data: [UInt8]
}

/// The inputs of a symmetric Encrypt or Decrypt.
struct CipherRequest {
    var key: [UInt8]
    var algorithm: CryptographicAlgorithm
    var mode: BlockCipherMode?
    var padding: PaddingMethod?
    var data: [UInt8]
    var iv: [UInt8]?
    var additionalData: [UInt8]?
    var tag: [UInt8]?
    var tagLength: Int
    /// RSA-OAEP: the hash and the mask generator's hash.
    var hashing: HashingAlgorithm? = nil
    var maskHashing: HashingAlgorithm? = nil
}

/// The outputs of a symmetric Encrypt.
struct CipherResult {
    var data: [UInt8]
    var chosenIV: [UInt8]?
    var tag: [UInt8]?
}

/// The two halves of a new key pair.
struct KeyPairBlocks {
    var privateKey: KeyBlock
    var publicKey: KeyBlock
}

/// Cryptography that is not there: every request is answered as unsupported. The fuzzing build
/// of the engine uses it (it is compiled without swift-crypto).
struct CryptographyUnavailable: KMIPServerCryptography {
    func makeKeyPair(algorithm: CryptographicAlgorithm, length: Int32?, curve: RecommendedCurve?) throws -> KeyPairBlocks {
        throw OperationFailure(.operationNotSupported, "this build of the server has no cryptography")
    }

    func sha256(_ bytes: [UInt8]) -> [UInt8]? { nil }
    func encrypt(_ request: CipherRequest) throws -> CipherResult { throw Self.unavailable }
    func decrypt(_ request: CipherRequest) throws -> [UInt8] { throw Self.unavailable }
    func mac(key: [UInt8], algorithm: CryptographicAlgorithm, data: [UInt8]) throws -> [UInt8] { throw Self.unavailable }
    func hash(_ algorithm: HashingAlgorithm, data: [UInt8]) throws -> [UInt8] { throw Self.unavailable }
    func sign(_ request: SignatureRequest) throws -> [UInt8] { throw Self.unavailable }
    func verify(_ request: SignatureRequest, signature: [UInt8]) throws -> Bool { throw Self.unavailable }
    func wrapKey(_ bytes: [UInt8], with key: [UInt8]) throws -> [UInt8] { throw Self.unavailable }
    func reencodeRSAKey(_ bytes: [UInt8], isPrivate: Bool, as format: KeyFormatType) throws -> [UInt8] { throw Self.unavailable }

    static let unavailable = OperationFailure(.operationNotSupported, "this build of the server has no cryptography")
}
