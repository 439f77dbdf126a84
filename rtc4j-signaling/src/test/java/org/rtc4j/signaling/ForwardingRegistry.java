package org.rtc4j.signaling;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** The in-memory registry behind every call: tests override the one call whose timing they drive. */
class ForwardingRegistry implements PeerRegistry {
  final InMemoryPeerRegistry memory = new InMemoryPeerRegistry();

  @Override
  public CompletionStage<Registration> register(Tenant t, String id, String token, PeerSink sink, String greeting,
      long now) {
    return memory.register(t, id, token, sink, greeting, now);
  }

  @Override
  public CompletionStage<Boolean> unregister(Tenant t, String id, PeerSink sink) {
    return memory.unregister(t, id, sink);
  }

  @Override
  public CompletionStage<Delivery> relay(Tenant t, String src, String dst, String frame, boolean queue, long now) {
    return memory.relay(t, src, dst, frame, queue, now);
  }

  @Override
  public CompletionStage<Integer> expire(long now, long timeout, ExpiryListener listener) {
    return memory.expire(now, timeout, listener);
  }

  @Override
  public boolean isRegistered(Tenant t, String id) {
    return memory.isRegistered(t, id);
  }

  @Override
  public boolean isRegisteredLocally(Tenant t, String id) {
    return memory.isRegisteredLocally(t, id);
  }

  @Override
  public CompletionStage<List<String>> ids(Tenant t) {
    return memory.ids(t);
  }

  @Override
  public int peers(Tenant t) {
    return memory.peers(t);
  }

  @Override
  public int queued(Tenant t) {
    return memory.queued(t);
  }

  @Override
  public void close() {
    memory.close();
  }
}
