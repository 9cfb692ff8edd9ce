//! The trust-store row: what the first HTTPS connection of a cold start spends on root
//! certificates, the system's store (read from disk and parsed, as `rustls-native-certs` does
//! for the SDK's default client) against Amazon's five roots compiled in (`Roots::Amazon`,
//! what the functions use in Lambda). The local engine is plain HTTP, so the cold starts above
//! never pay either; this times the difference on its own.

use std::time::{Duration, Instant};

use bench::median;
use call_log_item::config::AMAZON_ROOTS;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::RootCertStore;

const ROUNDS: usize = 50;

pub struct RootsFigures {
    pub system: Duration,
    pub system_count: usize,
    pub amazon: Duration,
    pub amazon_count: usize,
}

fn system() -> usize {
    let loaded = rustls_native_certs::load_native_certs();
    let mut store = RootCertStore::empty();
    store.add_parsable_certificates(loaded.certs);
    store.len()
}

fn amazon() -> usize {
    let mut store = RootCertStore::empty();
    for certificate in CertificateDer::pem_slice_iter(AMAZON_ROOTS) {
        store.add(certificate.expect("PEM")).expect("a root");
    }
    store.len()
}

pub fn measure() -> RootsFigures {
    let time = |load: fn() -> usize| {
        let mut samples = Vec::with_capacity(ROUNDS);
        let mut count = 0;
        for _ in 0..ROUNDS {
            let started = Instant::now();
            count = load();
            samples.push(started.elapsed());
        }
        (median(&samples), count)
    };
    let (system, system_count) = time(system);
    let (amazon, amazon_count) = time(amazon);
    RootsFigures {
        system,
        system_count,
        amazon,
        amazon_count,
    }
}
