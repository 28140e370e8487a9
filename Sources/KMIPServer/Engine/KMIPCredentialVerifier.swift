// swift-kmip: KMIPServer
//
// What the engine asks of a password check (the users file in Provisioning/ implements it).

/// Checks the Username and Password credential of a request (KMIP 1.x §2.1.2, 2.x §2.2).
public protocol KMIPCredentialVerifier: Sendable {
    /// Whether `password` is `username`'s password.
    func verify(username: String, password: String) -> Bool
}
