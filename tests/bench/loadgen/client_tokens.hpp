// Verified load-generator clients (--token-key): one signed token per client,
// minted once at start-up with the relay's own minter (relay/auth, libjwt), so
// the run measures the relay checking tokens, not the generator making them.
// Client i's token: sub "i", name its nick (client_nick), valid for an hour.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace hubchat::bench {

// The nick client `id` joins with ("lg<id>"); a token's name for it.
std::string client_nick(std::size_t id);

// Tokens for clients 0..clients-1 signed with the key in `key_file` (an HS256
// secret as the relay's --auth-key takes it, or a PEM private key); nullopt
// and `error` when the key cannot be read or libjwt refuses it.
std::optional<std::vector<std::string>> mint_client_tokens(const std::string& key_file,
                                                           std::size_t clients, std::string& error);

}  // namespace hubchat::bench
