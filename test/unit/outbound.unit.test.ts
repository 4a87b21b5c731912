import { describe, expect, it } from 'vitest';
import { refusalOf } from '../../shared/outbound';

const production = { allowedHosts: [] };

describe('outbound URLs', () => {
  it.each([
    ['https://hooks.shop.example/conveyor'],
    ['https://hooks.shop.example:8443/conveyor'],
    ['https://93.184.215.14.nip.io/x'],
  ])('lets %s be called', (url) => {
    expect(refusalOf(url, production)).toBeNull();
  });

  it.each([
    ['http://hooks.shop.example/', 'it must be https'],
    ['ftp://hooks.shop.example/', 'it must be https'],
    ['not a url', 'it is not a URL'],
    ['https://user:pw@hooks.shop.example/', 'it carries credentials; put them in the receiver, not the URL'],
    ['https://127.0.0.1/', "127.0.0.1 is a loopback address; use the receiver's host name"],
    ['https://2130706433/', "127.0.0.1 is a loopback address; use the receiver's host name"],
    ['https://0x7f.1/', "127.0.0.1 is a loopback address; use the receiver's host name"],
    ['https://10.1.2.3/', "10.1.2.3 is a private address; use the receiver's host name"],
    ['https://172.20.0.1/', "172.20.0.1 is a private address; use the receiver's host name"],
    ['https://192.168.1.1/', "192.168.1.1 is a private address; use the receiver's host name"],
    [
      'https://169.254.169.254/latest/meta-data/',
      "169.254.169.254 is a link-local address (cloud metadata lives here); use the receiver's host name",
    ],
    ['https://100.100.100.200/', "100.100.100.200 is a shared (carrier-grade NAT) address; use the receiver's host name"],
    ['https://0.0.0.0/', '0.0.0.0 is a "this network" address; use the receiver\'s host name'],
    ['https://93.184.215.14/', "93.184.215.14 is an IP address; use the receiver's host name"],
    ['https://[::1]/', "[::1] is a loopback address; use the receiver's host name"],
    ['https://[::ffff:127.0.0.1]/', "[::ffff:7f00:1] is a loopback address; use the receiver's host name"],
    ['https://[fd00::1]/', "[fd00::1] is a private address (unique local); use the receiver's host name"],
    ['https://[fe80::1]/', "[fe80::1] is a link-local address; use the receiver's host name"],
    ['https://localhost/', 'localhost is not a public host name'],
    ['https://LOCALHOST./', 'localhost is not a public host name'],
    ['https://api.localhost/', 'api.localhost names a private host'],
    ['https://metadata.google.internal/', 'metadata.google.internal names a private host'],
    ['https://printer.local/', 'printer.local names a private host'],
    ['https://hooks.shop.example:22/', 'port 22 is reserved; use 443 or a port from 1024'],
  ])('refuses %s: %s', (url, reason) => {
    expect(refusalOf(url, production)).toBe(reason);
  });

  it('lets local development name its exceptions, by host or host and port', () => {
    expect(refusalOf('http://127.0.0.1:9999/hook', { allowedHosts: ['127.0.0.1'] })).toBeNull();
    expect(refusalOf('http://localhost:9999/hook', { allowedHosts: ['localhost:9999'] })).toBeNull();
    expect(refusalOf('http://localhost:22/', { allowedHosts: ['localhost:9999'] })).toBe('it must be https');
    expect(refusalOf('file:///etc/passwd', { allowedHosts: ['127.0.0.1'] })).toBe('it must be https');
  });
});
