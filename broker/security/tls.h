#pragma once
// The TLS server context of SSL and SASL_SSL listeners, built once at start-up
// from Kafka's ssl.* keys with Sluice's PEM stores:
//   ssl.keystore.location   one PEM file: the private key and the certificate
//                           chain (leaf first), in either order
//   ssl.key.password        password of an encrypted private key
//   ssl.truststore.location PEM CA certificates that client certificates must
//                           chain to (needed for ssl.client.auth requested/required)
//   ssl.client.auth         none | requested | required
//   ssl.enabled.protocols   TLSv1.2 and/or TLSv1.3
// Every problem throws std::runtime_error naming the key and the file.
//
// Include only where TLS streams are used: it pulls in Asio's SSL headers.

#include "broker/asio.h"
#include "config/broker_config.h"

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>

namespace sluice::broker::security {

class tls_context {
public:
    explicit tls_context(const config::broker_config& cfg);
    boost::asio::ssl::context& native() { return ctx_; }
    const std::string& client_auth() const { return client_auth_; }

private:
    boost::asio::ssl::context ctx_;
    std::string client_auth_;
};

// The subject of the peer's certificate in RFC 2253 form ("CN=client1,OU=test,
// O=sluice"), as Kafka's default SSL principal; empty without a certificate.
std::string peer_subject(SSL* ssl);

}  // namespace sluice::broker::security
