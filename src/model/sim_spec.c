/* The virtual 82599: creating a port from the text of a device address.
 *
 *   NAME[,mode=threaded|stepped][,wire=WIRE][,mac=XX:XX:XX:XX:XX:XX]
 *       [,unthrottled][,laser_off][,link_delay_us=N][,device_id=0xNNNN]
 *       [,sfp=da|da-active|sr|lr|none][,fw_hold_us=N][,sema_hold_ms=N][,delay_us=N]
 *       [,clock_jump_us=N][,phy_power=on|off]
 *
 *   WIRE = loop | null | capture[:N] | pair:OTHER | iface:IFNAME | shm:NAME
 *        | pcap:RX.pcap:TX.pcap[:loop]   (either file may be empty)
 *        | gen:LEN[:PPS[:COUNT[:FLOWS]]]  (PPS 0 or absent = as fast as possible)
 *
 * Without wire= the port gets the null wire (link up, TX frames vanish).
 * pair:OTHER pairs with OTHER now if it exists, else as soon as a port named
 * OTHER is created (so "sim:a,wire=pair:b" then "sim:b" is a pair).
 * Every number is parsed strictly (src/num.h), every option may appear once,
 * and a pair that could never come up (a peer paired or waiting elsewhere,
 * another mode, an impossible name) is refused here, naming the problem.
 * See docs/sim.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ixy/packet.h"
#include "num.h"
#include "model/sim_core.h"
#include "model/sim_internal.h"

/* A whole number of the spec, strictly (src/num.h): "link_delay_us=10x",
 * "capture:-1" or "gen:60:::" are errors, not 10, 2^64-1 or defaults. */
static int spec_u64(const char *spec, const char *what, const char *v, unsigned flags, uint64_t min, uint64_t max,
		    uint64_t *out)
{
	const char *why;
	if (ixy_parse_u64(v, flags, min, max, out, &why) == 0)
		return 0;
	return ixy_error(-EINVAL, "sim spec \"%s\": %s \"%s\" is not a number in %llu..%llu (%s)", spec, what, v,
			 (unsigned long long)min, (unsigned long long)max, why);
}

#define SIM_GEN_MAX_PPS 1e12

/* gen:LEN[:PPS[:COUNT[:FLOWS]]], each field present is a number. */
static int attach_gen(struct ixy_sim *sim, char *arg, const char *spec)
{
	struct ixy_sim_gen g = { .flows = 1 };
	char *f[4] = { 0 };
	int n = 0;
	for (char *p = arg; p; n++) {
		if (n == 4)
			return ixy_error(-EINVAL, "sim spec \"%s\": gen:LEN[:PPS[:COUNT[:FLOWS]]] has at most four fields",
					 spec);
		f[n] = p;
		p = strchr(p, ':');
		if (p)
			*p++ = '\0';
	}
	uint64_t v;
	int err = spec_u64(spec, "gen frame length", f[0], 0, 60, 9018, &v);
	if (err)
		return err;
	g.frame_len = (uint32_t)v;
	if (f[1]) {
		const char *why;
		if (ixy_parse_double(f[1], 0, SIM_GEN_MAX_PPS, &g.rate_pps, NULL, &why) < 0)
			return ixy_error(-EINVAL, "sim spec \"%s\": gen rate \"%s\" is not a rate in 0..%g frames per "
					 "second (%s)", spec, f[1], SIM_GEN_MAX_PPS, why);
	}
	if (f[2] && (err = spec_u64(spec, "gen count", f[2], IXY_NUM_SI, 0, UINT64_MAX, &g.count)))
		return err;
	if (f[3]) {
		if ((err = spec_u64(spec, "gen flows", f[3], 0, 1, 4096, &v)))
			return err;
		g.flows = (uint32_t)v;
	}
	return ixy_sim_wire_generator(sim, &g);
}

static int attach(struct ixy_sim *sim, char *w, const char *spec)
{
	char *arg = strchr(w, ':');
	if (arg)
		*arg++ = '\0';
	if (strcmp(w, "loop") == 0 && !arg)
		return ixy_sim_wire_loopback(sim);
	if (strcmp(w, "null") == 0 && !arg)
		return ixy_sim_wire_null(sim);
	if (strcmp(w, "capture") == 0) {
		uint64_t n = 4096;
		int err = arg ? spec_u64(spec, "capture queue length", arg, IXY_NUM_SI, 1, 1u << 20, &n) : 0;
		return err ? err : ixy_sim_wire_capture(sim, (size_t)n);
	}
	if (strcmp(w, "pair") == 0 && arg && *arg)
		return sim_wire_pair_pending(sim, arg);
	if (strcmp(w, "iface") == 0 && arg && *arg)
		return ixy_sim_wire_iface(sim, arg);
	if (strcmp(w, "shm") == 0 && arg && *arg)
		return ixy_sim_wire_shm(sim, arg);
	if (strcmp(w, "pcap") == 0 && arg) {
		char *tx = strchr(arg, ':');
		char *lp = NULL;
		if (tx) {
			*tx++ = '\0';
			lp = strchr(tx, ':');
			if (lp)
				*lp++ = '\0';
		}
		if (lp && strcmp(lp, "loop") != 0)
			return ixy_error(-EINVAL, "sim spec \"%s\": pcap wire option \"%s\": only \"loop\" is known", spec, lp);
		return ixy_sim_wire_pcap(sim, arg, tx, lp != NULL);
	}
	if (strcmp(w, "gen") == 0 && arg)
		return attach_gen(sim, arg, spec);
	return ixy_error(-EINVAL, "sim spec \"%s\": unknown wire \"%s%s%s\": use loop, null, capture[:N], pair:OTHER, "
			 "iface:IFNAME, shm:NAME, pcap:RX:TX[:loop] or gen:LEN[:PPS[:COUNT[:FLOWS]]]",
			 spec, w, arg ? ":" : "", arg ? arg : "");
}

struct ixy_sim *ixy_sim_open_spec(const char *spec)
{
	if (!spec)
		return ixy_error_null(-EINVAL, "sim: no port spec (expected NAME[,option...])");
	char buf[1024];
	if (strlen(spec) >= sizeof(buf))
		return ixy_error_null(-EINVAL, "sim spec too long (%zu characters, at most %zu)", strlen(spec),
				      sizeof(buf) - 1);
	snprintf(buf, sizeof(buf), "%s", spec);

	struct ixy_sim_config cfg = { .mode = IXY_SIM_THREADED };
	char *wire = NULL, *save = NULL;
	bool phy_power_given = false;
	const char *trace = NULL;
	char *name = strtok_r(buf, ",", &save);
	const char *seen[32];
	unsigned nseen = 0;
	uint64_t n;
	if (!name || strchr(name, '='))
		return ixy_error_null(-EINVAL, "sim spec \"%s\": missing port name (expected NAME[,option...])", spec);
	for (char *o = strtok_r(NULL, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		char *v = strchr(o, '=');
		if (v)
			*v++ = '\0';
		/* each option once: which of two values was meant is a guess */
		for (unsigned i = 0; i < nseen; i++)
			if (strcmp(seen[i], o) == 0)
				return ixy_error_null(-EINVAL, "sim spec \"%s\": option \"%s\" given twice", spec, o);
		if (nseen < sizeof(seen) / sizeof(seen[0]))
			seen[nseen++] = o;
		if (strcmp(o, "mode") == 0 && v && strcmp(v, "threaded") == 0) {
			cfg.mode = IXY_SIM_THREADED;
		} else if (strcmp(o, "mode") == 0 && v && strcmp(v, "stepped") == 0) {
			cfg.mode = IXY_SIM_STEPPED;
		} else if (strcmp(o, "mode") == 0) {
			return ixy_error_null(-EINVAL, "sim spec \"%s\": mode=%s: use mode=threaded or mode=stepped", spec,
					      v ? v : "");
		} else if (strcmp(o, "wire") == 0 && v) {
			wire = v;
		} else if (strcmp(o, "mac") == 0 && v) {
			if (ixy_parse_mac(v, cfg.mac) < 0)	/* strict: src/packet.c */
				return ixy_error_null(-EINVAL, "sim spec \"%s\": bad MAC address \"%s\" "
						      "(expected XX:XX:XX:XX:XX:XX)", spec, v);
		} else if (strcmp(o, "unthrottled") == 0 && !v) {
			cfg.unthrottled = true;
		} else if (strcmp(o, "laser_off") == 0 && !v) {
			cfg.laser_off = true;
		} else if (strcmp(o, "link_delay_us") == 0 && v) {
			if (spec_u64(spec, "link_delay_us", v, 0, 0, 60000000, &n))
				return NULL;
			cfg.link_delay_us = (uint32_t)n;
		} else if ((strcmp(o, "device_id") == 0 || strcmp(o, "device") == 0) && v) {
			if (spec_u64(spec, "device_id", v, IXY_NUM_HEX, 1, 0xffff, &n))
				return NULL;
			cfg.device_id = (uint16_t)n;	/* which ids the model can be: ixy_sim_create */
		} else if (strcmp(o, "sfp") == 0 && v) {
			static const struct { const char *name; enum ixy_sim_sfp t; } sfps[] = {
				{ "da", IXY_SIM_SFP_DA }, { "da-active", IXY_SIM_SFP_DA_ACTIVE },
				{ "sr", IXY_SIM_SFP_SR }, { "lr", IXY_SIM_SFP_LR }, { "none", IXY_SIM_SFP_NONE },
			};
			size_t i;
			for (i = 0; i < sizeof(sfps) / sizeof(sfps[0]) && strcmp(v, sfps[i].name) != 0; i++)
				;
			if (i == sizeof(sfps) / sizeof(sfps[0]))
				return ixy_error_null(-EINVAL, "sim spec \"%s\": unknown SFP+ module \"%s\" "
						      "(da, da-active, sr, lr or none)", spec, v);
			cfg.sfp = sfps[i].t;
		} else if (strcmp(o, "fw_hold_us") == 0 && v) {
			if (spec_u64(spec, "fw_hold_us", v, 0, 0, 60000000, &n))
				return NULL;
			cfg.fw_hold_us = (uint32_t)n;
		} else if (strcmp(o, "delay_us") == 0 && v) {
			if (spec_u64(spec, "delay_us", v, 0, 0, 1000000, &n))
				return NULL;
			cfg.delay_us = (uint32_t)n;
		} else if (strcmp(o, "clock_jump_us") == 0 && v) {
			if (spec_u64(spec, "clock_jump_us", v, 0, 0, 1000000, &n))
				return NULL;
			cfg.clock_jump_us = (uint32_t)n;
		} else if (strcmp(o, "sema_hold_ms") == 0 && v) {
			if (spec_u64(spec, "sema_hold_ms", v, 0, 0, 3600000, &n))
				return NULL;
			cfg.sema_hold_ms = (uint32_t)n;
		} else if (strcmp(o, "trace") == 0 && v && *v) {
			trace = v;	/* opened once the port exists */
		} else if (strcmp(o, "phy_power") == 0 && v && (strcmp(v, "on") == 0 || strcmp(v, "off") == 0)) {
			cfg.phy_power_off = strcmp(v, "off") == 0;
			phy_power_given = true;
		} else {
			return ixy_error_null(-EINVAL, "sim spec \"%s\": unknown option \"%s%s%s\": known are "
					      "mode=threaded|stepped, wire=..., mac=..., unthrottled, laser_off, "
					      "link_delay_us=N, device_id=N, sfp=da|da-active|sr|lr|none, fw_hold_us=N, sema_hold_ms=N, delay_us=N, clock_jump_us=N, "
					      "phy_power=on|off, trace=FILE "
					      "(see docs/sim.md)", spec, o, v ? "=" : "", v ? v : "");
		}
	}
	if (phy_power_given && sim_media_of(cfg.device_id ? cfg.device_id : 0x10fb) != SIM_MEDIA_COPPER)
		return ixy_error_null(-EINVAL, "sim spec \"%s\": phy_power= applies to the X540/X550 ids with a copper "
				      "PHY (0x1528, 0x1560, 0x155c, 0x1563, 0x15d1), not to device 0x%04x", spec,
				      cfg.device_id ? cfg.device_id : 0x10fb);
	/* A port that waits for this one (its spec said pair:NAME) pairs
	 * with it at creation: this one must agree, or neither link comes up. */
	char who[64];
	enum ixy_sim_mode who_mode;
	if (sim_find_waiting(name, who, sizeof(who), &who_mode)) {
		if (who_mode != cfg.mode)
			return ixy_error_null(-EINVAL, "sim spec \"%s\": port %s waits to pair with %s in %s mode, but %s "
					      "is %s: a pair needs both ports in the same mode", spec, who, name,
					      who_mode == IXY_SIM_STEPPED ? "stepped" : "threaded", name,
					      cfg.mode == IXY_SIM_STEPPED ? "stepped" : "threaded");
		if (wire && !(strncmp(wire, "pair:", 5) == 0 && strcmp(wire + 5, who) == 0))
			return ixy_error_null(-EINVAL, "sim spec \"%s\": port %s waits to pair with %s (wire=pair:%s), "
					      "but %s says wire=%s: give it wire=pair:%s (or no wire=), or pair %s "
					      "elsewhere", spec, who, name, name, name, wire, who, who);
	}
	struct ixy_sim *sim = ixy_sim_create(name, &cfg);
	if (!sim)
		return NULL;
	if (trace && ixy_sim_trace(sim, trace) < 0) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", ixy_last_error());
		ixy_sim_destroy(sim);
		return ixy_error_null(-EINVAL, "sim spec \"%s\": %s", spec, msg);
	}
	/* A port that another one is waiting for was paired when created. */
	if (sim->wire == SIM_WIRE_PAIR)
		return sim;
	char wbuf[1024];
	snprintf(wbuf, sizeof(wbuf), "%s", wire ? wire : "null");
	int err = attach(sim, wbuf, spec);
	if (err < 0) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", ixy_last_error());
		ixy_sim_destroy(sim);
		return ixy_error_null(err, "%s", msg);
	}
	return sim;
}
