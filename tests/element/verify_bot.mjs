// A person verifies the bot from Element's own encryption stack (matrix-js-sdk + Rust crypto).
//
// node verify_bot.mjs   with MX_HOMESERVER, MX_USER, MX_PASSWORD (the person), MX_BOT (the bot's user id),
// MX_MODE=in-room (default): "Verify" in the direct chat; MX_MODE=to-device: "Verify session" on the
// bot's device (to-device messages); MX_MODE=own-device: MX_USER is the bot's own account (the operator's
// Element), which sets up the account's cross-signing first and then verifies the bot's session.
// Logs in, sets up cross-signing, opens an encrypted direct chat with the bot, waits for it to join,
// asks for verification in the chat ("Verify" in Element), starts SAS, confirms the emoji, and prints
// one JSON line: {"ok": true, "phase": ..., "emoji": n, "emoji_shown": bool (the bot wrote the same emoji
// in the chat; null to-device), "user_verified": bool, "device_verified": bool, "bot_device": id,
// "device": id}, or {"ok": false, "error": kind} (exit code 1).
// Only 127.0.0.1; bounded waits; prints no message text.
import * as sdk from "matrix-js-sdk";
import { logger } from "matrix-js-sdk/lib/logger.js";
import { VerificationPhase, VerifierEvent } from "matrix-js-sdk/lib/crypto-api/index.js";

logger.setLevel(process.env.MX_LOG || "silent");
const { MX_HOMESERVER: baseUrl, MX_USER: userId, MX_PASSWORD: password, MX_BOT: bot } = process.env;
let lastStep = "none";
const step = (s) => { lastStep = s; process.stderr.write(`step ${s}\n`); };
const deadline = Date.now() + Number(process.env.MX_TIMEOUT_MS || 90000);

async function until(what, predicate, ms = null) {
    const end = ms === null ? deadline : Math.min(deadline, Date.now() + ms);
    while (Date.now() < end) {
        const v = await predicate();
        if (v) return v;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timeout: ${what}`);
}

async function main() {
    const login = await sdk.createClient({ baseUrl }).loginRequest({
        type: "m.login.password", identifier: { type: "m.id.user", user: userId }, password,
        initial_device_display_name: "element-side",
    });
    const client = sdk.createClient({ baseUrl, userId, accessToken: login.access_token, deviceId: login.device_id });
    await client.initRustCrypto({ useIndexedDB: false });
    const crypto = client.getCrypto();
    step("crypto");
    await client.startClient({ initialSyncLimit: 20 });
    await until("first sync", () => client.isInitialSyncComplete());
    await crypto.bootstrapCrossSigning({
        authUploadDeviceSigningKeys: async (makeRequest) => {
            await makeRequest({ type: "m.login.password", identifier: { type: "m.id.user", user: userId }, password });
        },
    });
    step("cross-signing");
    const own = process.env.MX_MODE === "own-device";
    let roomId = null;
    let botDevices;
    if (own) {   // the operator, in Element on the bot's own account: "Sessions" → verify the bot's session
        botDevices = await until("the bot's device", async () => {
            const ids = [...((await crypto.getUserDeviceInfo([bot], true)).get(bot)?.keys() || [])];
            const others = ids.filter((d) => d !== login.device_id);
            return others.length ? others : null;
        });
    } else {
        ({ room_id: roomId } = await client.createRoom({
            is_direct: true, invite: [bot], preset: "trusted_private_chat",
            initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
        }));
        await until("bot joined", () => client.getRoom(roomId)?.getMember(bot)?.membership === "join");
        step("joined");
        botDevices = [...((await crypto.getUserDeviceInfo([bot], true)).get(bot)?.keys() || [])];
    }
    const request = process.env.MX_MODE === "in-room" || !process.env.MX_MODE
        ? await crypto.requestVerificationDM(bot, roomId)               // "Verify" on the person, in the chat
        : await crypto.requestDeviceVerification(bot, botDevices[0]);  // "Verify session": to-device messages
    step("requested");
    await until("ready", () => request.phase === VerificationPhase.Ready || request.phase === VerificationPhase.Cancelled);
    if (request.phase !== VerificationPhase.Ready) throw new Error(`cancelled before ready: ${request.cancellationCode}`);
    step("ready");
    const verifier = await request.startVerification("m.sas.v1");
    let emoji = [];
    verifier.on(VerifierEvent.ShowSas, (sas) => {
        emoji = (sas.sas.emoji || []).map((e) => e[0]);
        sas.confirm();
    });
    await Promise.race([verifier.verify(), until("verify", () => false)]);
    step("verified");
    await until("done", () => request.phase === VerificationPhase.Done || request.phase === VerificationPhase.Cancelled);
    const botDevice = request.otherDeviceId || botDevices[0];
    // the person's client signs the bot's master key with its user-signing key after "done"
    // (on the bot's own account: signs the bot's device with the account's self-signing key)
    let user = await crypto.getUserVerificationStatus(bot);
    let dev = null;
    try {
        await until("verified", async () => {
            user = await crypto.getUserVerificationStatus(bot);
            dev = await crypto.getDeviceVerificationStatus(bot, botDevice);
            return (own || user.isCrossSigningVerified()) && dev?.crossSigningVerified;
        }, 20000);
    } catch (e) { /* reported below */ }
    // in the chat, the bot wrote the emoji it computed: the same as on this screen?
    let emojiShown = null;
    if (roomId !== null && !process.env.MX_MODE?.endsWith("device")) {
        const want = emoji.join(" ");
        emojiShown = await until("bot's emoji", async () => {
            for (const ev of client.getRoom(roomId).getLiveTimeline().getEvents()) {
                if (ev.getSender() !== bot) continue;
                await client.decryptEventIfNeeded(ev);
                const c = ev.getContent();
                if (c.msgtype === "m.notice" && typeof c.body === "string" && c.body.includes(want)) return true;
            }
            return false;
        }, 20000).catch(() => false);
    }
    process.stderr.write(`status user=${JSON.stringify(user)} dev=${JSON.stringify(dev)}\n`);
    const out = {
        ok: request.phase === VerificationPhase.Done, phase: request.phase, emoji: emoji.length, emoji_shown: emojiShown,
        user_verified: user.isCrossSigningVerified(), device_verified: Boolean(dev?.crossSigningVerified),
        bot_device: botDevice, device: login.device_id, cancel: request.cancellationCode || null,
    };
    client.stopClient();
    return out;
}

main().then((out) => {
    process.stdout.write(JSON.stringify(out) + "\n");
    process.exit(out.ok ? 0 : 1);
}, (e) => {
    process.stdout.write(JSON.stringify({ ok: false, step: lastStep, error: String(e && e.message || e).slice(0, 200) }) + "\n");
    process.exit(1);
});
