/* The virtual 82599: the DMA engine thread of threaded ports.
 *
 * One thread per process serves every threaded port: each round it visits
 * the domains (a port, or the two ports of a pair) one after another, takes
 * the domain's lock and does one round of DMA work for each of its ports.
 * One thread instead of one per port because the work is tiny per port and
 * a machine with few cores cannot afford a spinning thread per port next
 * to the application's own threads (a generator port's engine, a null
 * port's engine and a forwarding thread on 2 cores starved each other).
 *
 * Idling: a round that moved nothing was probably followed by more such
 * rounds, so the engine backs off: it spins a little (a tail store is seen
 * within a round), yields the CPU a few times, then naps with growing
 * sleeps up to ENGINE_NAP_MAX_NS (ENGINE_DEEP_NAP_NS after a long idle
 * time). Anything moved resets the backoff. The yield phase is short on
 * purpose: measured on the 2-core development VM (kernel 6.18, EEVDF),
 * sched_yield next to a busy-polling thread on the same CPU rarely hands
 * the CPU over (the two exchanged a ring of frames once per tick, 4 ms),
 * while a nap does; and every nap costs ~25-30 us of CPU time on that VM
 * whatever its length, so naps grow quickly.
 * Progress means frames written to host memory or accepted by the wire:
 * frames dropped because the wire is full (a shm peer that does not keep
 * up) are not, so a sender facing a slow receiver backs off too. Events the model
 * itself schedules (the generator's next frame at a fixed rate, the link
 * coming up after auto-negotiation) bound the nap, so a rate-limited
 * generator sleeps between its frames instead of burning a core and sends
 * what fell due during an oversleep in the next round (its schedule is kept
 * in absolute time, see gen_round); an interrupt that its EITR interval
 * holds is such an event too. The transmit throttle is never slept
 * on: its catch-up is limited to a 10 us burst (sim_tx.c), so an oversleep
 * would lose wire time; the engine yields instead.
 *
 * Ports join when their domain's engine is resumed and leave when it is
 * paused (wire changes, pairing, destroy). The thread starts with the first
 * threaded port of the process and exits when the last one is destroyed.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "error.h"
#include "model/sim_core.h"
#include "model/sim_internal.h"

#define ENGINE_SPIN_ROUNDS	64		/* idle rounds polled flat out */
#define ENGINE_YIELD_ROUNDS	16		/* then this many with sched_yield */
#define ENGINE_NAP_MIN_NS	10000ull	/* then sleeps doubling from here ... */
#define ENGINE_NAP_MAX_NS	100000ull	/* ... up to here: a tail store waits at most this, */
#define ENGINE_DEEP_IDLE_NS	20000000ull	/* unless nothing happened for this long: */
#define ENGINE_DEEP_NAP_NS	1000000ull	/* then naps grow up to this */
#define ENGINE_SPIN_GAP_NS	2000ull		/* a scheduled event this close is polled for, */
#define ENGINE_PACED_NAP_NS	50000ull	/* one further away is napped for at least this */

static struct {
	pthread_mutex_t ctl;	/* serialises pause/resume/start/stop; never taken by the thread */
	pthread_mutex_t list;	/* the domain list; held by the thread for one round */
	struct sim_domain *head;
	unsigned users;		/* threaded ports alive in this process */
	bool running;
	atomic_bool stop;
	pthread_t thread;
} eng = {
	.ctl = PTHREAD_MUTEX_INITIALIZER,
	.list = PTHREAD_MUTEX_INITIALIZER,
};

static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/* fork(): the child has no engine thread. Taking both locks around the fork
 * means the thread is between rounds (holds no domain lock) when the child's
 * copy is made; the child starts with an empty engine of its own, and the
 * parent's ports it inherited stay without one (as before: they are not the
 * child's to drive). */
static void atfork_prepare(void)
{
	pthread_mutex_lock(&eng.ctl);
	pthread_mutex_lock(&eng.list);
}

static void atfork_parent(void)
{
	pthread_mutex_unlock(&eng.list);
	pthread_mutex_unlock(&eng.ctl);
}

static void atfork_child(void)
{
	pthread_mutex_init(&eng.list, NULL);
	pthread_mutex_init(&eng.ctl, NULL);
	eng.head = NULL;
	eng.users = 0;
	eng.running = false;
	atomic_store(&eng.stop, false);
}

static void atfork_register(void)
{
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

static void nap(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ull), .tv_nsec = (long)(ns % 1000000000ull) };
	nanosleep(&ts, NULL);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* One round over all domains at time now. *due: earliest model-scheduled event (ns,
 * UINT64_MAX = none); *tx_wait: a transmit queue waits for the wire. */
static int engine_round(uint64_t now, uint64_t *due, bool *tx_wait)
{
	int moved = 0;
	pthread_mutex_lock(&eng.list);
	for (struct sim_domain *d = eng.head; d; d = d->eng_next) {
		pthread_mutex_lock(&d->lock);
		for (int i = 0; i < d->nports; i++) {
			struct ixy_sim *s = d->ports[i];
			/* a paced generator's frames are scheduled events, not
			 * progress: they do not keep the engine from napping */
			moved += sim_port_round(s, now) - s->paced_moved;
			*tx_wait |= s->tx_blocked;
		}
		/* interrupts after all ports' rounds (a pair's TX raises the
		 * other port's RX cause), then what is scheduled */
		for (int i = 0; i < d->nports; i++) {
			struct ixy_sim *s = d->ports[i];
			sim_irq_poll(s, now);
			uint64_t t = sim_port_due_ns(s);
			if (t < *due)
				*due = t;
		}
		pthread_mutex_unlock(&d->lock);
		/* the control path announced itself: let it have the lock */
		while (atomic_load(&d->waiters))
			sched_yield();
	}
	pthread_mutex_unlock(&eng.list);
	return moved;
}

static void *engine_main(void *arg)
{
	(void)arg;
	/* Naps should end when asked, not up to 50 us later (the default
	 * timer slack): the engine's reaction time is the nap length. */
	prctl(PR_SET_TIMERSLACK, 1000ul);
	unsigned idle = 0;
	uint64_t nap_ns = ENGINE_NAP_MIN_NS, last_progress = sim_now_ns();
	while (!atomic_load(&eng.stop)) {
		uint64_t due = UINT64_MAX, now = sim_now_ns();
		bool tx_wait = false;
		if (engine_round(now, &due, &tx_wait)) {
			idle = 0;
			nap_ns = ENGINE_NAP_MIN_NS;
			last_progress = now;
			continue;
		}
		idle++;
		uint64_t cap = now - last_progress > ENGINE_DEEP_IDLE_NS ? ENGINE_DEEP_NAP_NS : ENGINE_NAP_MAX_NS;
		if (tx_wait) {
			/* the wire is busy for a few hundred ns at most (a jumbo
			 * frame at 1 Gb/s: 73 us); sleeping would lose wire time */
			if (idle < ENGINE_SPIN_ROUNDS)
				cpu_relax();
			else
				sched_yield();
		} else if (due != UINT64_MAX && due > now + ENGINE_SPIN_GAP_NS) {
			/* nothing to do before the next scheduled event */
			uint64_t gap = due - now;
			if (gap < ENGINE_PACED_NAP_NS)
				gap = ENGINE_PACED_NAP_NS;	/* then send what fell due in one go */
			nap(gap < cap ? gap : cap);
		} else if (due != UINT64_MAX || idle < ENGINE_SPIN_ROUNDS) {
			cpu_relax();
		} else if (idle < ENGINE_SPIN_ROUNDS + ENGINE_YIELD_ROUNDS) {
			sched_yield();
		} else {
			nap(nap_ns);
			nap_ns = nap_ns * 2 < cap ? nap_ns * 2 : cap;
		}
	}
	return NULL;
}

void sim_engine_hold(void)
{
	pthread_once(&atfork_once, atfork_register);
	pthread_mutex_lock(&eng.ctl);
	eng.users++;
	pthread_mutex_unlock(&eng.ctl);
}

void sim_engine_release(void)
{
	pthread_mutex_lock(&eng.ctl);
	if (eng.users && --eng.users == 0 && eng.running) {
		atomic_store(&eng.stop, true);
		pthread_join(eng.thread, NULL);
		eng.running = false;
		atomic_store(&eng.stop, false);
	}
	pthread_mutex_unlock(&eng.ctl);
}

void sim_engine_pause(struct sim_domain *d)
{
	pthread_mutex_lock(&eng.ctl);
	if (d->in_engine) {
		/* the thread holds the list lock for a whole round: once we
		 * have it, it is not inside this domain and will not be again */
		pthread_mutex_lock(&eng.list);
		for (struct sim_domain **pp = &eng.head; *pp; pp = &(*pp)->eng_next) {
			if (*pp == d) {
				*pp = d->eng_next;
				break;
			}
		}
		d->eng_next = NULL;
		d->in_engine = false;
		pthread_mutex_unlock(&eng.list);
	}
	pthread_mutex_unlock(&eng.ctl);
}

int sim_engine_resume(struct sim_domain *d)
{
	if (d->nports == 0 || d->ports[0]->cfg.mode != IXY_SIM_THREADED)
		return 0;
	int err = 0;
	pthread_mutex_lock(&eng.ctl);
	if (d->in_engine)
		goto out;
	if (!eng.running) {
		atomic_store(&eng.stop, false);
		err = pthread_create(&eng.thread, NULL, engine_main, NULL);
		if (err) {
			err = ixy_error(-err, "sim %s: cannot start the DMA engine thread: %s", d->ports[0]->name,
					strerror(err));
			goto out;
		}
		eng.running = true;
		/* named by its creator, so it is recognisable (top -H, tests) at once */
		pthread_setname_np(eng.thread, "ixy-sim-engine");
	}
	pthread_mutex_lock(&eng.list);
	/* append: the round visits domains in the order they joined */
	struct sim_domain **pp = &eng.head;
	while (*pp)
		pp = &(*pp)->eng_next;
	*pp = d;
	d->eng_next = NULL;
	d->in_engine = true;
	pthread_mutex_unlock(&eng.list);
out:
	pthread_mutex_unlock(&eng.ctl);
	return err;
}
