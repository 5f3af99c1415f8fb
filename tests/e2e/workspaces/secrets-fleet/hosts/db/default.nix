{ config, ... }:
{
  networking.hostName = "db";
  age.secrets.postgres = {
    file = ../../secrets/postgres.age;
    owner = "postgres";
  };
  services.postgresql.enable = true;
}
