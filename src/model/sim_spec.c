/* The virtual 82599: creating a port from the text of a device address.
 *
 *   NAME[,mode=threaded|stepped][,wire=WIRE][,mac=XX:XX:XX:XX:XX:XX]
 *       [,unthrottled][,laser_off][,link_delay_us=N][,device_id=0xNNNN]
 *       [,sfp=da|da-active|sr|lr|none][,fw_hold_us=N][,sema_hold_ms=N]
 *       [,phy_power=on|off]
 *
 *   WIRE = loop | null | capture[:N] | pair:OTHER | iface:IFNAME | shm:NAME
 *        | pcap:RX.pcap:TX.pcap[:loop]   (either file may be empty)
 *        | gen:LEN[:PPS[:COUNT[:FLOWS]]]  (PPS 0 or absent = as fast as possible)
 *
 * Without wire= the port gets the null wire (link up, TX frames vanish).
 * pair:OTHER pairs with OTHER now if it exists, else as soon as a port named
 * OTHER is created (so "sim:a,wire=pair:b" then "sim:b" is a pair).
 * See docs/sim.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "model/sim_core.h"
#include "model/sim_internal.h"

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char end;
	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &end) != 6)
		return -1;
	for (int i = 0; i < 6; i++) {
		if (v[i] > 0xff)
			return -1;
		mac[i] = (uint8_t)v[i];
	}
	return 0;
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
	if (strcmp(w, "capture") == 0)
		return ixy_sim_wire_capture(sim, arg ? strtoul(arg, NULL, 0) : 4096);
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
	if (strcmp(w, "gen") == 0 && arg) {
		struct ixy_sim_gen g = { 0 };
		char *f[4] = { 0 };
		int n = 0;
		for (char *t = strtok(arg, ":"); t && n < 4; t = strtok(NULL, ":"))
			f[n++] = t;
		char *end = NULL;
		g.frame_len = (uint32_t)strtoul(f[0] ? f[0] : "", &end, 0);
		if (!f[0] || *end)
			return ixy_error(-EINVAL, "sim spec \"%s\": gen:LEN[:PPS[:COUNT[:FLOWS]]] needs a frame length",
					 spec);
		g.rate_pps = f[1] ? strtod(f[1], NULL) : 0;
		g.count = f[2] ? strtoull(f[2], NULL, 0) : 0;
		g.flows = f[3] ? (uint32_t)strtoul(f[3], NULL, 0) : 1;
		return ixy_sim_wire_generator(sim, &g);
	}
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
	char *name = strtok_r(buf, ",", &save);
	if (!name)
		return ixy_error_null(-EINVAL, "sim spec \"%s\": missing port name", spec);
	for (char *o = strtok_r(NULL, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		char *v = strchr(o, '=');
		if (v)
			*v++ = '\0';
		if (strcmp(o, "mode") == 0 && v && strcmp(v, "threaded") == 0) {
			cfg.mode = IXY_SIM_THREADED;
		} else if (strcmp(o, "mode") == 0 && v && strcmp(v, "stepped") == 0) {
			cfg.mode = IXY_SIM_STEPPED;
		} else if (strcmp(o, "wire") == 0 && v) {
			wire = v;
		} else if (strcmp(o, "mac") == 0 && v) {
			if (parse_mac(v, cfg.mac) < 0)
				return ixy_error_null(-EINVAL, "sim spec \"%s\": bad MAC address \"%s\" "
						      "(expected XX:XX:XX:XX:XX:XX)", spec, v);
		} else if (strcmp(o, "unthrottled") == 0 && !v) {
			cfg.unthrottled = true;
		} else if (strcmp(o, "laser_off") == 0 && !v) {
			cfg.laser_off = true;
		} else if (strcmp(o, "link_delay_us") == 0 && v) {
			cfg.link_delay_us = (uint32_t)strtoul(v, NULL, 0);
		} else if ((strcmp(o, "device_id") == 0 || strcmp(o, "device") == 0) && v) {
			char *end = NULL;
			unsigned long id = strtoul(v, &end, 0);
			if (!*v || *end || id == 0 || id > 0xffff)
				return ixy_error_null(-EINVAL, "sim spec \"%s\": bad device id \"%s\" (a number like "
						      "0x1528; the model can be: %s)", spec, v, sim_personalities_text);
			enum sim_mac mac;
			if (sim_personality((uint16_t)id, &mac) < 0)
				return ixy_error_null(-EINVAL, "sim spec \"%s\": the model cannot be device 0x%04lx%s; "
						      "it can be: %s", spec, id,
						      sim_x550em_id((uint16_t)id) ? " (an X550EM board: not modelled)" : "",
						      sim_personalities_text);
			cfg.device_id = (uint16_t)id;
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
			cfg.fw_hold_us = (uint32_t)strtoul(v, NULL, 0);
		} else if (strcmp(o, "sema_hold_ms") == 0 && v) {
			cfg.sema_hold_ms = (uint32_t)strtoul(v, NULL, 0);
		} else if (strcmp(o, "phy_power") == 0 && v && (strcmp(v, "on") == 0 || strcmp(v, "off") == 0)) {
			cfg.phy_power_off = strcmp(v, "off") == 0;
			phy_power_given = true;
		} else {
			return ixy_error_null(-EINVAL, "sim spec \"%s\": unknown option \"%s%s%s\": known are "
					      "mode=threaded|stepped, wire=..., mac=..., unthrottled, laser_off, "
					      "link_delay_us=N, device_id=N, sfp=da|da-active|sr|lr|none, fw_hold_us=N, sema_hold_ms=N, "
					      "phy_power=on|off "
					      "(see docs/sim.md)", spec, o, v ? "=" : "", v ? v : "");
		}
	}
	if (phy_power_given && sim_media_of(cfg.device_id ? cfg.device_id : 0x10fb) != SIM_MEDIA_COPPER)
		return ixy_error_null(-EINVAL, "sim spec \"%s\": phy_power= applies to the X540/X550 ids with a copper "
				      "PHY (0x1528, 0x1560, 0x155c, 0x1563, 0x15d1), not to device 0x%04x", spec,
				      cfg.device_id ? cfg.device_id : 0x10fb);
	struct ixy_sim *sim = ixy_sim_create(name, &cfg);
	if (!sim)
		return NULL;
	/* A port that another one is waiting for was paired when created. */
	if (!wire && sim->wire == SIM_WIRE_PAIR)
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
