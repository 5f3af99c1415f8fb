let
  web = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHq1tB6vP0cW8Z2rPjK9mUVtXh3sLq0QeY7bDn4xGf2a";
  db = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMb7oR2yT9nV4cX1kZ8wP3qL6sD0fJ5hG2aE9uYtN1rB";
  admin = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPz3Lk8mW2qR7vN1xC5bT0yH4jF9sD6gA2eU8oKiM3nQ admin@laptop";
in
{
  "wifi.age".publicKeys = [ web db admin ];
  "postgres.age".publicKeys = [ db admin ];
}
