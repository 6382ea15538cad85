import { describe, expect, it } from 'vitest';
import type { Office } from '../../renderer/src/lib/content.ts';
import { compareFloors, floorLabel, floorsOf, informationDesk, officesOnFloor, roomLabel, whereLabel } from '../../renderer/src/lib/offices.ts';

const office = (name: string, floor: string, room = ''): Office => ({
  id: name, name, floor, room, hours: '', openingHours: null, phone: '', description: '', services: [], keywords: [], url: null, informationDesk: false, floorPlan: null,
});

describe('offices', () => {
  it('orders floors as a building does', () => {
    expect(['2', 'G', '10', 'B2', 'Mezzanine', '1', 'B1', 'LL'].sort(compareFloors)).toEqual(['B2', 'B1', 'LL', 'G', '1', '2', '10', 'Mezzanine']);
  });

  it('lists the distinct floors that have offices', () => {
    expect(floorsOf([office('a', '2'), office('b', 'G'), office('c', '2'), office('d', '')])).toEqual(['G', '2']);
  });

  it('filters by floor and sorts by name', () => {
    const list = [office('Treasurer', '1'), office('Clerk', '1'), office('Mayor', '2')];
    expect(officesOnFloor(list, '1').map((o) => o.name)).toEqual(['Clerk', 'Treasurer']);
    expect(officesOnFloor(list, null)).toHaveLength(3);
  });

  it('says where an office is in words', () => {
    expect(floorLabel('G')).toBe('Ground floor');
    expect(floorLabel('2')).toBe('Floor 2');
    expect(roomLabel('168')).toBe('Room 168');
    expect(roomLabel('Rotunda')).toBe('Rotunda');
    expect(whereLabel({ floor: '1', room: '168' })).toBe('Floor 1 · Room 168');
    expect(whereLabel({ floor: '', room: '' })).toBe('');
  });

  it('says it in the visitor\'s language, and sorts names by that language\'s rules', () => {
    const spanish = { groundFloor: 'Planta baja', floorNumber: ({ floor }: { floor: string }) => `Piso ${floor}`, roomNumber: ({ room }: { room: string }) => `Sala ${room}` };
    expect(whereLabel({ floor: '1', room: '168' }, spanish)).toBe('Piso 1 · Sala 168');
    expect(floorLabel('G', spanish)).toBe('Planta baja');
    expect(officesOnFloor([office('Óptica', '1'), office('Oficina', '1'), office('Zona', '1')], null, 'es').map((o) => o.name)).toEqual(['Oficina', 'Óptica', 'Zona']);
  });

  it('finds the information desk: marked so, else named so', () => {
    const desk = { ...office('Visitor Centre', '1', 'Rotunda'), informationDesk: true };
    expect(informationDesk([office('Clerk', '1'), desk])).toBe(desk);
    expect(informationDesk([office('Clerk', '1'), office('Information Desk', 'G')])?.name).toBe('Information Desk');
    expect(informationDesk([office('Clerk', '1')])).toBeNull();
  });
});
