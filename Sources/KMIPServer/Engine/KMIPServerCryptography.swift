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
}
