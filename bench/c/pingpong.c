/*
 * The anchor of bench/crosscore.sh (issue 33): cache-line messages between two cores through a ring,
 * as the CPU suite's message-passing kernel moves them (seven payload words, then the sequence with
 * release; read with acquire; a line reused once the consumer says, with release, it is done), in
 * plain C11 atomics: the payload is read and summed, not checked. Prints messages per second.
 * Usage: pingpong SECONDS [CPU_A CPU_B]   (pins the two threads when CPUs are given)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define SLOTS 512
#define BATCH 128

struct line { _Atomic uint64_t seq; uint64_t w[7]; } __attribute__((aligned(64)));
static struct line ring[SLOTS];
static _Alignas(64) _Atomic uint64_t produced;
static _Alignas(64) _Atomic uint64_t consumed;
static _Alignas(64) _Atomic int stop;
static double seconds;
static int cpu_a = -1, cpu_b = -1;
static volatile uint64_t sink;

static uint64_t payload(uint64_t seq, int k) {
    uint64_t z = seq * 8 + k + 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void pin(int cpu) {
    if (cpu < 0) return;
    cpu_set_t s; CPU_ZERO(&s); CPU_SET(cpu, &s);
    pthread_setaffinity_np(pthread_self(), sizeof s, &s);
}

static void *producer(void *arg) {
    (void) arg;
    pin(cpu_a);
    uint64_t p = 0;
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        uint64_t c = atomic_load_explicit(&consumed, memory_order_acquire);
        for (int n = 0; n < BATCH && p - c < SLOTS; n++) {
            struct line *l = &ring[p % SLOTS];
            uint64_t seq = p + 1;
            for (int k = 1; k <= 7; k++) l->w[k - 1] = payload(seq, k);
            atomic_store_explicit(&l->seq, seq, memory_order_release);
            p++;
        }
        atomic_store_explicit(&produced, p, memory_order_release);
    }
    return NULL;
}

static void *consumer(void *arg) {
    uint64_t *taken = arg;
    pin(cpu_b);
    uint64_t c = 0, sum = 0;
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        for (;;) {
            struct line *l = &ring[c % SLOTS];
            if (atomic_load_explicit(&l->seq, memory_order_acquire) != c + 1) break;
            for (int k = 0; k < 7; k++) sum += l->w[k];
            c++;
            atomic_store_explicit(&consumed, c, memory_order_release);
        }
    }
    sink = sum;
    *taken = c;
    return NULL;
}

int main(int argc, char **argv) {
    seconds = argc > 1 ? atof(argv[1]) : 2.0;
    if (argc > 3) { cpu_a = atoi(argv[2]); cpu_b = atoi(argv[3]); }
    pthread_t a, b;
    uint64_t taken = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_create(&b, NULL, consumer, &taken);
    pthread_create(&a, NULL, producer, NULL);
    struct timespec d = {(time_t) seconds, (long) ((seconds - (time_t) seconds) * 1e9)};
    nanosleep(&d, NULL);
    atomic_store(&stop, 1);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("c-pingpong messages_per_second=%.0f (%llu in %.2f s, cpus %d %d)\n", taken / s, (unsigned long long) taken, s, cpu_a, cpu_b);
    return 0;
}
