//! A 5 KiB command and a 5 KiB response through the CRB device and the guest driver, in
//! window-sized chunks (PTP 1.07 nextChunk), with a fake TPM that echoes a digest of the
//! command. Prints the chunk counts.

use vtrust_tpm_crb::driver::{Driver, DriverConfig, LocalBus};
use vtrust_tpm_crb::{CrbConfig, CrbDevice};

const SIZE: usize = 5 * 1024;

fn message(size: usize, fill: impl Fn(usize) -> u8) -> Vec<u8> {
    let mut m: Vec<u8> = (0..size).map(fill).collect();
    m[..2].copy_from_slice(&0x8001u16.to_be_bytes());
    m[2..6].copy_from_slice(&u32::try_from(size).unwrap_or(0).to_be_bytes());
    m[6..10].copy_from_slice(&0u32.to_be_bytes());
    m
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The fake TPM: a 5 KiB response whose bytes 10.. repeat the sum of the command's bytes.
    let executor = |_locality: u8, command: &[u8]| {
        let sum = command.iter().fold(0u8, |s, &b| s.wrapping_add(b));
        message(SIZE, |_| sum)
    };
    let config = CrbConfig::default();
    let device = CrbDevice::new(config)?;
    let mut driver = Driver::new(LocalBus::new(device, executor), DriverConfig::default());
    let command = message(SIZE, |i| (i % 251) as u8);
    let (response, stats) = driver.transmit(&command)?;
    let sum = command.iter().fold(0u8, |s, &b| s.wrapping_add(b));
    assert_eq!(response.len(), SIZE);
    assert!(response[10..].iter().all(|&b| b == sum));
    println!(
        "window {} bytes, CapCRBChunk {}: command {} bytes in {} chunks, response {} bytes in {} chunks",
        config.window,
        driver.probe()?.chunking,
        stats.bytes_sent,
        stats.chunks_sent,
        stats.bytes_received,
        stats.chunks_received
    );
    Ok(())
}
