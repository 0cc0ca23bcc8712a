import pytest

from fangkong.lib.env import ConfigError, env_bool, env_int, env_list, env_networks


def test_env_helpers_read_and_complain_clearly(monkeypatch):
    monkeypatch.setenv("FK_T_BOOL", "yes")
    monkeypatch.setenv("FK_T_INT", "12")
    monkeypatch.setenv("FK_T_LIST", "a, b,,c")
    assert env_bool("FK_T_BOOL") is True
    assert env_int("FK_T_INT", 1) == 12
    assert env_list("FK_T_LIST", []) == ["a", "b", "c"]
    monkeypatch.setenv("FK_T_BOOL", "maybe")
    with pytest.raises(ConfigError, match="FK_T_BOOL"):
        env_bool("FK_T_BOOL")
    monkeypatch.setenv("FK_T_INT", "twelve")
    with pytest.raises(ConfigError, match="FK_T_INT"):
        env_int("FK_T_INT", 1)


def test_trusted_proxies_must_be_addresses_or_networks(monkeypatch):
    monkeypatch.setenv("FK_T_NETS", "127.0.0.1, 10.0.0.0/8,::1")
    assert env_networks("FK_T_NETS") == ["127.0.0.1", "10.0.0.0/8", "::1"]
    monkeypatch.setenv("FK_T_NETS", "127.0.0.1,nginx")
    with pytest.raises(ConfigError, match="FK_T_NETS: 'nginx' is not an IP address"):
        env_networks("FK_T_NETS")
