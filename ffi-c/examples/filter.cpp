// meshauth C++ example: a tiny proxy-style JWT filter, as an Envoy-like HTTP filter would use the
// C API. One Filter owns the key set and the validation (shared read-only by every worker
// thread); on_request() takes the Authorization header and either forwards the request with the
// principal and the payload set as headers or answers 401/403 with Envoy's message.
//
//   filter JWKS_FILE ISSUER AUDIENCE NOW "Bearer TOKEN"
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "meshauth.h"

namespace {

struct JwksFree {
  void operator()(meshauth_jwks *p) const { meshauth_jwks_free(p); }
};
struct ValidationFree {
  void operator()(meshauth_validation *p) const { meshauth_validation_free(p); }
};
struct VerifiedFree {
  void operator()(meshauth_verified *p) const { meshauth_verified_free(p); }
};

std::string_view view(meshauth_str s) { return s.ptr ? std::string_view(s.ptr, s.len) : std::string_view(); }

struct Response {
  int http_status = 200;  // 200 means "forward upstream"
  std::string body;
  std::map<std::string, std::string> headers;  // added to the upstream request
};

class Filter {
 public:
  Filter(const std::string &jwks_json, std::string_view issuer, std::string_view audience) {
    meshauth_jwks *raw = nullptr;
    meshauth_status st =
        meshauth_jwks_from_json(reinterpret_cast<const uint8_t *>(jwks_json.data()), jwks_json.size(), &raw);
    if (st != MESHAUTH_STATUS_OK) throw std::runtime_error(meshauth_status_message(st));
    jwks_.reset(raw);
    validation_.reset(meshauth_validation_new());
    if (!validation_ ||
        meshauth_validation_set_issuer(validation_.get(), issuer.data(), issuer.size()) != MESHAUTH_STATUS_OK ||
        meshauth_validation_add_audience(validation_.get(), audience.data(), audience.size()) != MESHAUTH_STATUS_OK)
      throw std::runtime_error("bad validation settings");
  }

  // Thread-safe: only reads the shared handles.
  Response on_request(std::string_view authorization, int64_t now) const {
    Response r;
    constexpr std::string_view bearer = "Bearer ";
    if (authorization.substr(0, bearer.size()) != bearer) {
      r.http_status = meshauth_status_http_status(MESHAUTH_STATUS_JWT_MISSED);
      r.body = meshauth_status_message(MESHAUTH_STATUS_JWT_MISSED);
      return r;
    }
    std::string_view token = authorization.substr(bearer.size());
    meshauth_verified *raw = nullptr;
    meshauth_status st = meshauth_verify(jwks_.get(), validation_.get(), token.data(), token.size(), now, &raw);
    std::unique_ptr<meshauth_verified, VerifiedFree> verified(raw);
    if (st != MESHAUTH_STATUS_OK) {
      r.http_status = meshauth_status_http_status(st);
      r.body = meshauth_status_message(st);
      return r;
    }
    meshauth_str s{};
    if (meshauth_verified_principal(verified.get(), &s) == MESHAUTH_STATUS_OK && s.ptr)
      r.headers["x-principal"] = std::string(view(s));
    if (meshauth_verified_payload_b64(verified.get(), &s) == MESHAUTH_STATUS_OK)
      r.headers["x-jwt-payload"] = std::string(view(s));
    return r;
  }

 private:
  std::unique_ptr<meshauth_jwks, JwksFree> jwks_;
  std::unique_ptr<meshauth_validation, ValidationFree> validation_;
};

}  // namespace

int main(int argc, char **argv) {
  if (argc != 6) {
    std::cerr << "usage: " << argv[0] << " JWKS_FILE ISSUER AUDIENCE NOW AUTHORIZATION\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::cerr << "cannot read " << argv[1] << "\n";
    return 2;
  }
  std::string jwks((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  try {
    Filter filter(jwks, argv[2], argv[3]);
    Response r = filter.on_request(argv[5], std::strtoll(argv[4], nullptr, 10));
    std::cout << r.http_status;
    if (r.http_status != 200) std::cout << " " << r.body;
    std::cout << "\n";
    for (const auto &h : r.headers) std::cout << h.first << ": " << h.second << "\n";
    return r.http_status == 200 ? 0 : 1;
  } catch (const std::exception &e) {
    std::cerr << "filter setup failed: " << e.what() << "\n";
    return 2;
  }
}
