/**
 * The signaling cluster: {@link org.rtc4j.signaling.redis.RedisPeerRegistry}, a
 * {@link org.rtc4j.signaling.PeerRegistry} shared by several {@code SignalingServer} processes
 * through one Redis server (Lettuce), selected with {@code --redis redis://HOST:PORT}. Without it
 * nothing changes: {@code InMemoryPeerRegistry} stays the default.
 *
 * <h2>Keys (per PeerJS key {@code K}; the hash tag {@code {K}} keeps one tenant's keys in one slot)</h2>
 * <ul>
 *   <li>{@code rtc4j:{K}:id:<id>} — string {@code "<node> <sha256(token) hex>"} ({@code Tokens.hexDigest}), set with
 *       {@code PX alive_timeout}: who holds the id and with which token. Only digests reach Redis,
 *       so its (non constant-time) comparison leaks nothing usable about a token.</li>
 *   <li>{@code rtc4j:{K}:peers} — sorted set id → expiry (Redis ms); the cluster-wide count for
 *       {@code concurrent_limit} and the list for discovery ({@code /peers}); entries past their
 *       score are ignored and pruned on the next registration.</li>
 *   <li>{@code rtc4j:{K}:q:<dst>} — list of queued frames for an id not connected anywhere, each
 *       {@code "<len(src)>:<src><frame>"}, FIFO.</li>
 *   <li>{@code rtc4j:{K}:pending} — sorted set {@code "<len(dst)>:<dst><src>"} → time (Redis ms)
 *       the oldest message of that (src, dst) pair was queued; what the expiry sweep reads.</li>
 *   <li>{@code rtc4j:{K}:qn} (counter) and {@code rtc4j:{K}:qs} (hash src → count): the
 *       per-tenant and per-sender queue bounds of {@link org.rtc4j.signaling.Tenant}.</li>
 *   <li>{@code rtc4j:{K}:taken:<node>:<n>:<id>} — a queue a registration took (renamed, not
 *       deleted), until the node confirms its frames reached the socket ({@code DRAINED} settles
 *       the counters and pending entries) or puts them back in front of the queue ({@code UNDO},
 *       when the reply never came or the socket closed meanwhile): a registration that timed
 *       out here but ran late in Redis loses nothing. An expiry sweep that meets a due pending
 *       entry while its frames sit in such a key reports nothing and forgets the entry (the frames
 *       are being delivered); {@code UNDO} adds the entry back for frames it returns, so they
 *       still expire.</li>
 * </ul>
 * Queue keys carry a backstop TTL (10 × expire_timeout, at least 60 s, renewed on each write) so
 * they vanish even when every node is gone; while any node runs, the sweep removes them first.
 *
 * <h2>Channels</h2>
 * Each registry is a node with a random id and subscribes to {@code rtc4j:node:<node>}. A frame for
 * an id held by another node is published there as {@code F<key><dst><src><frame>}
 * (length-prefixed fields) by the relay script itself, so a cross-node frame costs one round trip;
 * {@code C<key><id>} tells a node to close its socket for an id that re-attached (same token) on
 * another node. The receiver hands frames to its local sockets on the pub/sub I/O thread, in
 * Redis's order: frames between one pair of peers stay FIFO. A frame for a peer connected to the
 * same node never goes through Redis.
 *
 * <h2>Atomicity</h2>
 * Register (check token, concurrent limit, set the id, drain its queue), relay (look up the id or
 * queue), expire (pop due pairs and their messages) and unregister (delete only if still ours) are
 * each one Lua script, so two nodes never both register an id, a message is either queued before
 * the id registers (and drained to it) or routed to its node after, and each expired pair is
 * reported by exactly one node (one EXPIRE in the cluster). Times inside scripts are Redis's
 * {@code TIME}: nodes' clocks never meet.
 *
 * <h2>Threading</h2>
 * Nothing waits for Redis on an event loop: every call is an EVALSHA on Lettuce's asynchronous
 * API (one pipelined connection, so one caller's calls run in order) and returns a stage; the
 * signaling handler continues on the channel's loop when it completes and holds a client's later
 * frames until then (per-client FIFO). The scripts are loaded at start and after each reconnect.
 * Only the refresher thread (liveness, re-registration) and the blocking queries for tests and
 * metrics ({@code isRegistered}, {@code peers}, {@code queued}) wait for answers.
 *
 * <h2>Failure semantics</h2>
 * <ul>
 *   <li>Redis unreachable at start: {@code connect} throws an IOException naming the URI and the
 *       cause; the server does not start.</li>
 *   <li>A node that dies (no cleanup): its ids stay taken until their key expires,
 *       {@code alive_timeout} after the last refresh (a node refreshes its ids every
 *       alive_timeout/3), then anyone can take them; frames to them meanwhile are published to
 *       nobody, and the sender hears LEAVE (as upstream when forwarding fails). Other nodes' peers
 *       are unaffected. A node that closes normally deletes its ids at once.</li>
 *   <li>A frame published to a node whose peer has just left: that node answers the sender with
 *       LEAVE through the registry.</li>
 *   <li>Redis slow, hung or down during operation: a call fails after the command timeout (the
 *       URI's {@code ?timeout=}, default 2 s; at once while the connection is down, as Lettuce
 *       rejects commands then). A new connection gets {@code ERROR} "Server is temporarily
 *       unavailable, try again later" and is closed; a frame for a peer on another node (or not
 *       connected) is dropped and its sender gets {@code EXPIRE} at once; peers connected to the
 *       same node keep relaying to each other, and HTTP answers, without waiting. A call that
 *       timed out may still run when Redis answers late (a frame then arrives late although its
 *       sender got EXPIRE; a registration is taken back out by a follow-up script, its queue put
 *       back). If the connection drops between the two, the id stays taken until
 *       {@code alive_timeout} and the taken frames vanish with the key's backstop TTL.</li>
 *   <li>Recovery: Lettuce reconnects (at most 1 s between attempts) and re-subscribes; the node
 *       then reloads its scripts and refreshes its ids at once (failed refreshes retry after
 *       500 ms): ids whose key is gone (expired during the outage, or Redis restarted empty) are
 *       registered again for the live sockets, with whatever was queued for them meanwhile; an id
 *       another node took in between has its stale socket here closed. Peers do not need to
 *       reconnect. Tested in {@code RedisOutageTest} with DEBUG SLEEP, SIGSTOP and a kill and
 *       restart of redis-server.</li>
 * </ul>
 */
package org.rtc4j.signaling.redis;
