/* The sim port spec parser (src/model/sim_spec.c): strict numbers, each
 * option once, and pairs that could never come up refused at once with a
 * message naming the problem; a refused spec leaves no port behind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ixy/device.h"
#include "ixy/error.h"
#include "ixy/sim.h"
#include "error.h"
#include "model/sim_internal.h"

/* spec must be refused with a message containing want; no port remains. */
static void refused(const char *spec, const char *want)
{
	char name[64];
	snprintf(name, sizeof(name), "%s", spec);
	name[strcspn(name, ",")] = '\0';
	ixy_clear_error();
	struct ixy_sim *sim = ixy_sim_open_spec(spec);
	if (sim) {
		ixy_sim_destroy(sim);
		fail_msg("\"%s\" was accepted", spec);
	}
	if (!strstr(ixy_last_error(), want))
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", spec, ixy_last_error(), want);
	assert_true(ixy_last_error_code() < 0);
	assert_null(ixy_sim_find(name));
}

static void test_bad_numbers(void **state)
{
	(void)state;
	refused("n1,mode=stepped,link_delay_us=10x", "link_delay_us \"10x\" is not a number in 0..60000000 (trailing");
	refused("n1,mode=stepped,link_delay_us=-1", "(negative)");
	refused("n1,mode=stepped,link_delay_us=", "(empty)");
	refused("n1,mode=stepped,link_delay_us=1e3", "trailing characters");
	refused("n1,mode=stepped,link_delay_us=99999999999", "out of range");
	refused("n1,mode=stepped,device_id=0x", "no hexadecimal digits after 0x");
	refused("n1,mode=stepped,device_id=0x10fbx", "trailing characters");
	refused("n1,mode=stepped,device_id=0x110fb", "out of range");      /* was truncated to 0x10fb */
	refused("n1,mode=stepped,device_id=0", "out of range");
	refused("n1,mode=stepped,fw_hold_us=5x", "fw_hold_us \"5x\" is not a number in 0..60000000 (trailing");
	refused("n1,mode=stepped,sema_hold_ms=-1", "sema_hold_ms \"-1\" is not a number in 0..3600000 (negative)");
	refused("n1,mode=stepped,wire=capture:-1", "capture queue length \"-1\"");
	refused("n1,mode=stepped,wire=capture:", "(empty)");
	refused("n1,mode=stepped,wire=capture:0", "out of range");
	refused("n1,mode=stepped,wire=gen:", "gen frame length \"\"");
	refused("n1,mode=stepped,wire=gen:59", "gen frame length \"59\" is not a number in 60..9018");
	refused("n1,mode=stepped,wire=gen:60x", "trailing characters");
	refused("n1,mode=stepped,wire=gen:60::5", "gen rate \"\"");       /* strtok skipped the empty field */
	refused("n1,mode=stepped,wire=gen:60:inf", "gen rate \"inf\"");
	refused("n1,mode=stepped,wire=gen:60:nan", "not a number");
	refused("n1,mode=stepped,wire=gen:60:-5", "(negative)");
	refused("n1,mode=stepped,wire=gen:60:1e999", "too large");
	refused("n1,mode=stepped,wire=gen:60:0:1.5", "gen count \"1.5\"");
	refused("n1,mode=stepped,wire=gen:60:0:-1", "(negative)");
	refused("n1,mode=stepped,wire=gen:60:0:0:0", "gen flows \"0\" is not a number in 1..4096");
	refused("n1,mode=stepped,wire=gen:60:0:0:4097", "out of range");   /* was clamped silently */
	refused("n1,mode=stepped,wire=gen:60:0:0:1:9", "at most four fields");
}

static void test_bad_options(void **state)
{
	(void)state;
	refused("n2,mode=stepped,mode=stepped", "option \"mode\" given twice");
	refused("n2,mode=stepped,unthrottled,unthrottled", "option \"unthrottled\" given twice");
	refused("n2,mode=stepped,wire=null,wire=loop", "option \"wire\" given twice");
	refused("n2,mode=stepped,sfp=sr,sfp=lr", "option \"sfp\" given twice");
	refused("n2,mode=fast", "mode=fast: use mode=threaded or mode=stepped");
	refused("n2,mode", "mode=: use mode=threaded or mode=stepped");
	refused("n2,mode=stepped,colour=red", "unknown option \"colour=red\"");
	refused("n2,mode=stepped,unthrottled=1", "unknown option \"unthrottled=1\"");
	refused("mode=stepped", "missing port name");
	refused("n2,mode=stepped,device_id=0x1234", "device id 0x1234 is not one the model can be");
}

static void test_good_numbers(void **state)
{
	(void)state;
	struct ixy_sim *sim = ixy_sim_open_spec("g1,mode=stepped,device_id=0x1528,link_delay_us=5,wire=gen:60:1500.5:2k:7");
	if (!sim)
		fail_msg("%s", ixy_last_error());
	assert_int_equal(ixy_sim_device_id(sim), 0x1528);
	assert_int_equal(sim->cfg.link_delay_us, 5);
	assert_int_equal(sim->wire, SIM_WIRE_GEN);
	assert_true(sim->gen->cfg.rate_pps == 1500.5);
	assert_int_equal(sim->gen->cfg.count, 2000);
	assert_int_equal(sim->gen->cfg.flows, 7);
	ixy_sim_destroy(sim);
	/* decimal device ids are numbers too */
	sim = ixy_sim_open_spec("g2,mode=stepped,device_id=4347,wire=capture:1k");
	if (!sim)
		fail_msg("%s", ixy_last_error());
	assert_int_equal(ixy_sim_device_id(sim), 0x10fb);
	assert_int_equal(sim->capture.nslots, 1000);
	ixy_sim_destroy(sim);
}

static void test_pair_third_port(void **state)
{
	(void)state;
	/* a waits for b; b names c: refused, and a still waits for b */
	struct ixy_sim *a = ixy_sim_open_spec("pa,mode=stepped,wire=pair:pb");
	assert_non_null(a);
	refused("pb,mode=stepped,wire=pair:pc", "port pa waits to pair with pb (wire=pair:pb), but pb says wire=pair:pc");
	refused("pb,mode=stepped,wire=loop", "but pb says wire=loop");
	assert_string_equal(a->pending_peer, "pb");
	/* the other mode: refused before it exists */
	refused("pb,mode=threaded", "port pa waits to pair with pb in stepped mode, but pb is threaded");
	/* b naming a, or nothing: the pair forms */
	struct ixy_sim *b = ixy_sim_open_spec("pb,mode=stepped,wire=pair:pa");
	if (!b)
		fail_msg("%s", ixy_last_error());
	assert_int_equal(a->wire, SIM_WIRE_PAIR);
	assert_int_equal(b->wire, SIM_WIRE_PAIR);
	assert_ptr_equal(a->peer, b);
	assert_ptr_equal(b->peer, a);
	/* a third port cannot take a paired port away from its peer */
	refused("pc,mode=stepped,wire=pair:pa", "pa is already paired with pb");
	assert_ptr_equal(a->peer, b);
	ixy_sim_destroy(b);
	ixy_sim_destroy(a);
}

static void test_pair_impossible(void **state)
{
	(void)state;
	refused("q1,mode=stepped,wire=pair:q1", "cannot pair a port with itself");
	refused("q1,mode=stepped,wire=pair:", "unknown wire");
	/* a peer waiting for someone else */
	struct ixy_sim *w = ixy_sim_open_spec("q2,mode=stepped,wire=pair:q3");
	assert_non_null(w);
	refused("q4,mode=stepped,wire=pair:q2", "q2 waits to pair with q3");
	ixy_sim_destroy(w);
	/* an existing peer in the other mode */
	struct ixy_sim *s = ixy_sim_open_spec("q5,mode=stepped");
	assert_non_null(s);
	refused("q6,mode=threaded,wire=pair:q5", "q6 (threaded) and q5 (stepped): a pair needs both ports in the same mode");
	assert_int_equal(s->wire, SIM_WIRE_NULL);
	ixy_sim_destroy(s);
	/* ixy_open of a port whose peer does not exist: its link could only
	 * time out, so it is refused at once (with link_optional it is not:
	 * the caller opens the peer next) */
	ixy_clear_error();
	assert_null(ixy_open("sim:q7,mode=stepped,wire=pair:q8", NULL));
	assert_non_null(strstr(ixy_last_error(), "its pair peer q8 does not exist in this process"));
	assert_int_equal(ixy_last_error_code(), -EINVAL);      /* not -ETIMEDOUT from the link wait */
	assert_null(ixy_sim_find("q7"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_good_numbers),
		cmocka_unit_test(test_pair_third_port),
		cmocka_unit_test(test_pair_impossible),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
