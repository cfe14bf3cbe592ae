#include "broker/security/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

namespace sluice::broker::security {

namespace {

std::string openssl_reason() {
    unsigned long e = ERR_peek_last_error();
    ERR_clear_error();
    if (!e) return "unknown error";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

[[noreturn]] void fail(const std::string& key, const std::string& message) {
    throw std::runtime_error(key + ": " + message);
}

bool has(const std::vector<std::string>& v, const char* s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

tls_context::tls_context(const config::broker_config& cfg)
    : ctx_(boost::asio::ssl::context::tls_server), client_auth_(cfg.ssl_client_auth) {
    SSL_CTX* native = ctx_.native_handle();
    ctx_.set_options(boost::asio::ssl::context::default_workarounds |
                     boost::asio::ssl::context::no_compression |
                     boost::asio::ssl::context::single_dh_use);
    // Client-initiated TLS 1.2 renegotiation only costs the server CPU.
    SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
    bool v12 = has(cfg.ssl_enabled_protocols, "TLSv1.2");
    bool v13 = has(cfg.ssl_enabled_protocols, "TLSv1.3");
    SSL_CTX_set_min_proto_version(native, v12 ? TLS1_2_VERSION : TLS1_3_VERSION);
    SSL_CTX_set_max_proto_version(native, v13 ? TLS1_3_VERSION : TLS1_2_VERSION);
    // Resumed sessions (Java clients reuse them) need a session id context
    // once client certificates are verified.
    static const unsigned char session_context[] = "sluiced";
    SSL_CTX_set_session_id_context(native, session_context, sizeof session_context - 1);

    if (!cfg.ssl_keystore_location)
        fail("ssl.keystore.location", "must be set for SSL and SASL_SSL listeners");
    const std::string& keystore = *cfg.ssl_keystore_location;
    std::error_code fs_ec;
    if (!std::filesystem::is_regular_file(keystore, fs_ec))
        fail("ssl.keystore.location", keystore + ": no such file");
    // OpenSSL asks for the password only for an encrypted key; an empty one
    // makes the decryption fail instead of prompting on a terminal. (Asio owns
    // the callback's user data, so the callback is set through Asio.)
    ctx_.set_password_callback(
        [pw = cfg.ssl_key_password.value_or("")](
            std::size_t, boost::asio::ssl::context::password_purpose) { return pw; });
    ERR_clear_error();
    if (SSL_CTX_use_certificate_chain_file(native, keystore.c_str()) != 1)
        fail("ssl.keystore.location",
             keystore + ": no usable certificate chain (" + openssl_reason() + ")");
    if (SSL_CTX_use_PrivateKey_file(native, keystore.c_str(), SSL_FILETYPE_PEM) != 1) {
        std::string reason = openssl_reason();
        bool decrypt = reason.find("bad decrypt") != std::string::npos ||
                       reason.find("bad password") != std::string::npos ||
                       reason.find("decrypt") != std::string::npos;
        if (decrypt)
            fail("ssl.key.password",
                 "cannot decrypt the private key in " + keystore +
                     (cfg.ssl_key_password ? " (wrong password)" : " (the key is encrypted)"));
        fail("ssl.keystore.location", keystore + ": no usable private key (" + reason + ")");
    }
    if (SSL_CTX_check_private_key(native) != 1)
        fail("ssl.keystore.location", keystore +
                                          ": the private key does not match the certificate (" +
                                          openssl_reason() + ")");
    // The key is loaded: keep no copy of its password.
    ctx_.set_password_callback(
        [](std::size_t, boost::asio::ssl::context::password_purpose) { return std::string(); });

    if (client_auth_ != "none") {
        if (!cfg.ssl_truststore_location)
            fail("ssl.truststore.location", "must be set because ssl.client.auth is " +
                                                client_auth_ +
                                                " (expected a PEM file of CA certificates)");
        const std::string& trust = *cfg.ssl_truststore_location;
        if (SSL_CTX_load_verify_locations(native, trust.c_str(), nullptr) != 1)
            fail("ssl.truststore.location",
                 trust + ": no usable CA certificates (" + openssl_reason() + ")");
        int mode = SSL_VERIFY_PEER;
        if (client_auth_ == "required") mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
        SSL_CTX_set_verify(native, mode, nullptr);
        // Let clients pick the right certificate: send the CA names.
        if (auto* names = SSL_load_client_CA_file(trust.c_str()))
            SSL_CTX_set_client_CA_list(native, names);
    }
}

std::string peer_subject(SSL* ssl) {
    X509* cert = SSL_get_peer_certificate(ssl);
    if (!cert) return {};
    std::string out;
    if (BIO* bio = BIO_new(BIO_s_mem())) {
        X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
        char* data = nullptr;
        long n = BIO_get_mem_data(bio, &data);
        if (n > 0) out.assign(data, size_t(n));
        BIO_free(bio);
    }
    X509_free(cert);
    return out;
}

}  // namespace sluice::broker::security
