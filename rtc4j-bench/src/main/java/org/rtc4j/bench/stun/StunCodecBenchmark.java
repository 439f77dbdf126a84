package org.rtc4j.bench.stun;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.rtc4j.stun.ChannelData;
import org.rtc4j.stun.IntegrityCalculator;
import org.rtc4j.stun.LongTermCredentials;
import org.rtc4j.stun.Nonce;
import org.rtc4j.stun.Realm;
import org.rtc4j.stun.RequestedTransport;
import org.rtc4j.stun.StunClass;
import org.rtc4j.stun.StunMessage;
import org.rtc4j.stun.StunMethod;
import org.rtc4j.stun.StunParseException;
import org.rtc4j.stun.TransactionId;
import org.rtc4j.stun.Username;

/**
 * The per-message costs of rtc4j-stun on a TURN server's paths: an authenticated Allocate request
 * (RFC 8656 §7.2: REQUESTED-TRANSPORT, USERNAME, REALM, NONCE, MESSAGE-INTEGRITY, FINGERPRINT, as
 * a browser sends it after the 401) parsed and integrity-checked, and a 100-byte ChannelData
 * message (RFC 8656 §12.4) parsed from a heap and from a direct buffer (what Netty hands a driver).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class StunCodecBenchmark {

    private byte[] allocate;
    private ByteBuffer allocateBuf;
    private byte[] key;
    private int hmacLength;
    private Mac mac;
    private IntegrityCalculator calculator;
    private ByteBuffer channelDataHeap;
    private ByteBuffer channelDataDirect;

    @Setup
    public void setup() throws GeneralSecurityException {
        SplittableRandom random = new SplittableRandom(42);
        String user = "1767225600:alice";
        String realm = "rtc4j";
        key = LongTermCredentials.md5Key(user, realm, "gWHrV3X5Vs7S4pj0Uo6Zvjkq9+A=");
        allocate = StunMessage.builder(StunMethod.ALLOCATE, StunClass.REQUEST, TransactionId.random(random))
                .add(new RequestedTransport(17))
                .add(new Username(user))
                .add(new Realm(realm))
                .add(new Nonce("obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA"))
                .encode(key, true);
        allocateBuf = ByteBuffer.wrap(allocate);
        // The MESSAGE-INTEGRITY input: everything before the attribute (FINGERPRINT is 8 bytes, MI 24).
        hmacLength = allocate.length - 8 - 24;
        mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(key, "HmacSHA1"));
        calculator = new IntegrityCalculator();

        byte[] cd = new byte[4 + 100];
        cd[0] = 0x40;
        cd[1] = 0x01;
        cd[3] = 100;
        for (int i = 4; i < cd.length; i++) {
            cd[i] = (byte) random.nextInt(256);
        }
        channelDataHeap = ByteBuffer.wrap(cd);
        channelDataDirect = ByteBuffer.allocateDirect(cd.length).put(cd).flip();
    }

    /** Parse only: header, attribute TLVs, FINGERPRINT check, attribute records. */
    @Benchmark
    public StunMessage allocateParse() throws StunParseException {
        return StunMessage.parse(allocateBuf.clear());
    }

    /** Parse, then {@link StunMessage#verifyMessageIntegrity} (the convenience call: a new calculator per call). */
    @Benchmark
    public boolean allocateParseAndVerify() throws StunParseException {
        return StunMessage.parse(allocateBuf.clear()).verifyMessageIntegrity(key);
    }

    /** Parse, then a per-thread {@link IntegrityCalculator} (how a server core should do it). */
    @Benchmark
    public boolean allocateParseAndVerifyReusedCalculator() throws StunParseException {
        return calculator.verifyMessageIntegrity(StunMessage.parse(allocateBuf.clear()), key);
    }

    /** The floor: the JDK's HMAC-SHA1 over the same bytes, key already set. */
    @Benchmark
    public byte[] hmacSha1Only() {
        mac.update(allocate, 0, hmacLength);
        return mac.doFinal();
    }

    @Benchmark
    public ChannelData channelDataParseHeap() throws StunParseException {
        return ChannelData.parse(channelDataHeap.clear(), false);
    }

    @Benchmark
    public ChannelData channelDataParseDirect() throws StunParseException {
        return ChannelData.parse(channelDataDirect.clear(), false);
    }
}
