// swift-kmip fuzzing: compiled into the KMIPServer module in place of Sources/KMIPServer/Cryptography
// (swift-crypto is not built with fuzzing instrumentation): requests that need cryptography are
// answered as unsupported.

extension KMIPServerEngine {
    static let defaultCryptography: any KMIPServerCryptography = CryptographyUnavailable()
}
