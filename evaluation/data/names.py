"""Common Czech first names, for recognising columns of people's names by their content.

The list holds the first names most often given in Czechia (men's and women's, with their
usual spellings), written for this toolkit from general knowledge of Czech naming; it is not a
register. It only has to recognise a *column* of names: a column counts as names when a good
share of its values are two or three capitalised words one of which is a first name here
(:func:`evaluation.data.privacy.looks_like_names`), so a rare first name missing from the list
does not hide the column.

Example
-------
>>> "jiří" in FIRST_NAMES and "kateřina" in FIRST_NAMES and "ostrava" not in FIRST_NAMES
True
"""

from __future__ import annotations

_MEN = """
Adam Adolf Albert Aleš Alexandr Alexej Alois Antonín Arnošt Bedřich Blahoslav Bohdan Bohumil Bohumír Bohuslav
Bořivoj Boris Břetislav Ctibor Ctirad Cyril Čeněk Čestmír Dalibor Daniel David Denis Dominik Drahomír Dušan
Eduard Emil Erik Evžen Ferdinand Filip František Gustav Hubert Hugo Hynek Ignác Igor Ivan Ivo Jakub Jan Jaromír
Jaroslav Jindřich Jiří Jonáš Josef Julius Kamil Karel Kryštof Ladislav Leo Leoš Libor Lubomír Luboš Luděk
Ludvík Lukáš Lumír Marcel Marek Marian Martin Matěj Matouš Matyáš Metoděj Michael Michal Mikuláš Milan Miloslav
Miloš Miroslav Mojmír Norbert Oldřich Ondřej Oskar Otakar Ota Otto Patrik Pavel Petr Přemysl Prokop Radek Radim
Radomír Radoslav Radovan Rostislav Robert Roman René Richard Rudolf Samuel Sebastián Stanislav Svatopluk Šimon
Štefan Štěpán Tadeáš Teodor Tobiáš Tomáš Vácslav Václav Valentin Vavřinec Věroslav Viktor Vilém Vít Vítězslav
Vladimír Vladislav Vlastimil Vojtěch Vratislav Zbyněk Zdeněk Zdenek Jozef Peter Juraj Ján Mário
Alexander Artur Slavomír Klement Robin Zikmund Horymír Kvido Lubor Miloň Oliver Ondřej Pavol Rastislav Rudolf
Silvestr Slavoj Soběslav Svatoslav Tibor Vasyl Vendelín Vincenc Vlastislav Zdislav Žarko Ctislav Dobroslav
Hostivít Jeroným Jindřich Kristián Lubomil Marcel Medard Miloslav Nikolas Nikolaj Oleg Pankrác Radomil Servác
Sergej Stanislav Štěpán Šebestián Taras Theodor Timotej Valdemar Vavřinec Viliam Vítězslav Záboj Zoltán
Felix Oto Drahoslav Boleslav Bronislav Dobromil Jaromil Mečislav Kazimír Lev Max Maxmilián Bruno Benedikt
"""
_WOMEN = """
Adéla Adriana Agáta Alena Alžběta Amálie Andrea Anežka Aneta Anna Antonie Barbora Beata Blanka Bohdana Bohumila
Bohuslava Božena Dagmar Dana Daniela Darina Denisa Dita Dominika Drahomíra Edita Eliška Ema Emílie Emilie Erika
Eva Gabriela Hana Hedvika Helena Hedviga Ilona Irena Iva Ivana Iveta Ivona Jana Jarmila Jaroslava Jindřiška
Jiřina Jitka Johana Josefa Julie Justýna Kamila Karolína Kateřina Klára Kristina Kristýna Lada Ladislava Laura
Lenka Libuše Linda Lucie Ludmila Magdalena Magdaléna Marcela Marie Marika Markéta Marta Martina Michaela Milada
Milena Miloslava Miluše Miroslava Monika Naděžda Natálie Nela Nikol Nikola Olga Pavla Pavlína Petra Radka
Radmila Renata Romana Rozálie Růžena Sabina Sandra Silvie Simona Soňa Sofie Stanislava Stela Šárka Štěpánka
Taťána Tereza Valerie Vanda Vendula Veronika Věra Viktorie Vladimíra Vlasta Yvona Yveta Zdeňka Zdenka Zlata
Zora Zuzana Žaneta Žofie Františka Jolana Ludmila Kamila Ela Elena Sára Viola Vilma Zina Dorota Alexandra
Renáta Lýdie Nina Květa Květoslava Blažena Světlana Ester Alice Anastázie Apolena Berta Bronislava Dobromila
Dobroslava Doubravka Eleonora Elfrída Emma Eugenie Evelína Gertruda Gizela Hermína Ingrid Irma Jaromíra Jasmína
Jesika Julianna Kateřina Kornélie Leona Lidmila Liliana Lívie Lorenza Ludmila Lýdie Marina Matylda Melánie
Milada Milana Milica Miriam Naďa Nataša Olivie Otýlie Oxana Radana Radomíra Regína Rostislava Sabrina Samanta
Slavěna Slavomíra Sylva Sylvie Tamara Tatiana Ludmila Václava Vanesa Vlastimila Xenie Zdislava Zita Zlatuše
Mária Danuše Klaudie Nora Mahulena Anděla Judita Patricie Ludmila Bohumíra Drahoslava Jindra Kamila Pavla
"""

#: Case-folded first names.
FIRST_NAMES: frozenset[str] = frozenset(name.casefold() for name in (_MEN + _WOMEN).split())
#: Academic and professional titles that stand before or after a name (case-folded, without dots).
TITLES: frozenset[str] = frozenset(t.casefold() for t in (
    "Bc BcA Ing arch MgA Mgr MUDr MDDr MVDr PharmDr PhDr JUDr RNDr PaedDr ThDr ThLic ThD PhD CSc DrSc DiS MBA "
    "LLM doc prof pan paní sl slečna").split())
